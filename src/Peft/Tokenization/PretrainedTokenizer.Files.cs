using Peft.Tokenization.Loading;

namespace Peft.Tokenization;

public sealed partial class PretrainedTokenizer
{
    /// <summary>
    /// The files <see cref="FromPretrained"/> may read from a model folder, in the folder's own layout:
    /// <c>tokenizer.json</c>, <c>tokenizer.model</c>, <c>vocab.json</c>, <c>merges.txt</c>, <c>tokenizer_config.json</c>,
    /// <c>special_tokens_map.json</c>, <c>chat_template.jinja</c> and <c>chat_template.json</c> (plus the
    /// <c>additional_chat_templates</c> folder, see <see cref="CopyFiles"/>). <c>generation_config.json</c> is read too
    /// but belongs to the model and is not listed.
    /// </summary>
    public static IReadOnlyList<string> FileNames { get; } =
    [
        TokenizerJsonFileName, SentencePieceFileName, VocabFileName, MergesFileName, TokenizerConfig.ConfigFileName,
        TokenizerConfig.SpecialTokensMapFileName, Templates.ChatTemplates.JinjaFileName, Templates.ChatTemplates.JsonFileName,
    ];

    /// <summary>
    /// Copies a model folder's tokenizer files (those of <see cref="FileNames"/> that exist, and the
    /// <c>additional_chat_templates/*.jinja</c> named templates) into another folder, so a model exported there (for
    /// example a merged model) loads with the same tokenizer and chat template. Existing files are overwritten.
    /// </summary>
    /// <param name="sourceFolder">The folder the tokenizer was loaded from.</param>
    /// <param name="destinationFolder">The target folder; created if needed.</param>
    /// <returns>The names of the files copied, relative to the folders.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="sourceFolder"/> does not exist.</exception>
    public static IReadOnlyList<string> CopyFiles(string sourceFolder, string destinationFolder)
    {
        ArgumentNullException.ThrowIfNull(sourceFolder);
        ArgumentNullException.ThrowIfNull(destinationFolder);
        if (!Directory.Exists(sourceFolder))
        {
            throw new DirectoryNotFoundException($"The tokenizer folder '{Path.GetFullPath(sourceFolder)}' does not exist.");
        }

        var copied = new List<string>();
        Directory.CreateDirectory(destinationFolder);
        foreach (var name in FileNames.Where(n => File.Exists(Path.Combine(sourceFolder, n))))
        {
            File.Copy(Path.Combine(sourceFolder, name), Path.Combine(destinationFolder, name), overwrite: true);
            copied.Add(name);
        }

        var templates = Path.Combine(sourceFolder, Templates.ChatTemplates.AdditionalTemplatesFolder);
        if (Directory.Exists(templates))
        {
            var target = Directory.CreateDirectory(Path.Combine(destinationFolder, Templates.ChatTemplates.AdditionalTemplatesFolder)).FullName;
            foreach (var file in Directory.GetFiles(templates, "*.jinja").Order(StringComparer.Ordinal))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
                copied.Add(Templates.ChatTemplates.AdditionalTemplatesFolder + "/" + Path.GetFileName(file));
            }
        }

        return copied;
    }
}
