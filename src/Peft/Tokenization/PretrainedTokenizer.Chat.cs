using Peft.Tokenization.Templates;

namespace Peft.Tokenization;

/// <summary>Chat templates: rendering conversations exactly as transformers' <c>apply_chat_template</c>.</summary>
public sealed partial class PretrainedTokenizer
{
    private ChatTemplateSet? _templateSet;

    /// <summary>The special tokens a chat template sees (<c>bos_token</c>, <c>eos_token</c>, <c>pad_token</c>, <c>unk_token</c>), when set.</summary>
    public IReadOnlyDictionary<string, string> SpecialTokensMap
    {
        get
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            void Add(string name, string? token)
            {
                if (!string.IsNullOrEmpty(token))
                {
                    map[name] = token;
                }
            }

            Add("bos_token", BosToken);
            Add("eos_token", EosToken);
            Add("unk_token", UnkToken);
            Add("pad_token", PadToken);
            return map;
        }
    }

    /// <summary>
    /// Renders a conversation with the tokenizer's chat template (the <c>tool_use</c> template when tools are
    /// given and one exists, else the default), with the special tokens in the context, as transformers does.
    /// Encode the result with <c>addSpecialTokens: false</c>: the template already writes BOS where it wants one.
    /// </summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="addGenerationPrompt">End with the header of a new assistant turn.</param>
    /// <param name="options">Tools, documents, extra variables, continue_final_message, clock.</param>
    /// <param name="templateName">A named template (e.g. <c>tool_use</c>), or null.</param>
    /// <returns>The prompt text.</returns>
    /// <exception cref="InvalidOperationException">The tokenizer has no chat template.</exception>
    /// <exception cref="ChatTemplateException">The template failed or rejected the conversation.</exception>
    public string ApplyChatTemplate(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = false,
        ChatTemplateApplyOptions? options = null, string? templateName = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (ChatTemplates.Count == 0)
        {
            throw new InvalidOperationException(
                $"The tokenizer loaded from '{SourceFile}' has no chat template (looked for \"chat_template\" in tokenizer_config.json and "
                + "for chat_template.jinja). Add one to the model folder, or train on plain text or prompt/completion data.");
        }

        _templateSet ??= ChatTemplateSet.Create(ChatTemplates, SourceFile);
        return _templateSet.Select(templateName, hasTools: options?.Tools is not null)
            .Apply(messages, addGenerationPrompt, SpecialTokensMap, options);
    }
}
