using System.Text.Json.Nodes;
using FluentAssertions;
using Peft.Tests.Support;
using Peft.Tokenization;
using Xunit;

namespace Peft.Tests.Tokenization;

/// <summary>Missing and malformed files give specific errors naming the file and the location inside it.</summary>
public sealed class TokenizerErrorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void An_empty_folder_lists_every_file_name_looked_for()
    {
        var act = () => PretrainedTokenizer.FromPretrained(_dir.Path);
        var error = act.Should().Throw<TokenizerFilesNotFoundException>().Which;
        error.Should().BeAssignableTo<FileNotFoundException>();
        error.SearchedFileNames.Should().Equal("tokenizer.json", "tokenizer.model", "vocab.json", "merges.txt");
        error.Message.Should().Contain(_dir.Path).And.Contain("tokenizer.json, tokenizer.model, vocab.json, merges.txt");
        error.Folder.Should().Be(Path.GetFullPath(_dir.Path));
    }

    [Fact]
    public void Half_of_the_vocab_merges_pair_is_named()
    {
        File.WriteAllText(_dir.File("vocab.json"), "{}");
        var act = () => PretrainedTokenizer.FromPretrained(_dir.Path);
        act.Should().Throw<TokenizerFilesNotFoundException>().WithMessage("*Found vocab.json but not merges.txt*");
    }

    [Fact]
    public void A_missing_folder_is_a_directory_error()
    {
        var act = () => PretrainedTokenizer.FromPretrained(_dir.File("nope"));
        act.Should().Throw<DirectoryNotFoundException>().WithMessage("*nope*does not exist*");
    }

    [Fact]
    public void Invalid_json_reports_line_and_byte()
    {
        File.WriteAllText(_dir.File("tokenizer.json"), "{\n  \"model\": {\n    \"type\": \"BPE\",,\n");
        var act = () => PretrainedTokenizer.FromPretrained(_dir.Path);
        var error = act.Should().Throw<TokenizerFormatException>().Which;
        error.FilePath.Should().EndWith("tokenizer.json");
        error.Location.Should().Be("line 3, byte 19", "the second comma is the 19th byte of line 3");
        error.Message.Should().Contain("not valid JSON");
    }

    public static TheoryData<string, Action<JsonObject>, string, string> JsonCases() => new()
    {
        { "merge not a string or pair", j => j["model"]!["merges"]![1] = 5, "$.model.merges[1]", "*expected a merge as \"left right\" or [\"left\", \"right\"]; found number 5*" },
        { "merge of unknown token", j => j["model"]!["merges"]![0] = "h zz", "$.model.merges[0]", "*'zz', which is not in model.vocab*" },
        { "merge with three parts", j => j["model"]!["merges"]![0] = "h e l", "$.model.merges[0]", "*two tokens separated by one space*" },
        { "unsupported pre-tokenizer", j => j["pre_tokenizer"] = new JsonObject { ["type"] = "Foo" }, "$.pre_tokenizer", "*pre_tokenizer type 'Foo' is not supported*" },
        { "bad regex", j => j["pre_tokenizer"]!["pretokenizers"]![0]!["pattern"] = new JsonObject { ["Regex"] = "(" }, "$.pre_tokenizer.pretokenizers[0].pattern.Regex", "*cannot be compiled*" },
        { "vocab id not a number", j => j["model"]!["vocab"]!["a"] = "x", "$.model.vocab.a", "*expected a 32-bit integer; found string \"x\"*" },
        { "duplicate vocab id", j => j["model"]!["vocab"]!["zz"] = 97, "$.model.vocab", "*both have id 97*" },
        { "added token without id", j => j["added_tokens"]![0]!.AsObject().Remove("id"), "$.added_tokens[0].id", "*required field is missing*" },
        { "unigram model", j => j["model"]!["type"] = "Unigram", "$.model", "*model type 'Unigram' is not supported*PreferSentencePieceModel*" },
        { "unknown template token", j => j["post_processor"]!["processors"]![1]!["single"]![0]!["SpecialToken"]!["id"] = "<x>", "$.post_processor.processors[1].single[0]", "*'<x>' is not listed*" },
        { "unsupported decoder", j => j["decoder"] = new JsonObject { ["type"] = "CTC" }, "$.decoder", "*decoder type 'CTC' is not supported*" },
        { "split behavior", j => j["pre_tokenizer"]!["pretokenizers"]![0]!["behavior"] = "Sideways", "$.pre_tokenizer.pretokenizers[0].behavior", "*expected Removed, Isolated*found string \"Sideways\"*" },
    };

    [Theory]
    [MemberData(nameof(JsonCases))]
    public void Malformed_tokenizer_json_names_the_json_path(string name, Action<JsonObject> corrupt, string location, string message)
    {
        TinyLlama3Tokenizer.Write(_dir.Path);
        var file = _dir.File("tokenizer.json");
        var json = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        corrupt(json);
        TokenizerFolders.WriteJson(file, json);
        var act = () => PretrainedTokenizer.FromPretrained(_dir.Path);
        var error = act.Should().Throw<TokenizerFormatException>(name).Which;
        error.FilePath.Should().Be(file);
        error.Location.Should().Be(location);
        error.Message.Should().Match(message);
    }

    public static TheoryData<string, string, string> ConfigCases() => new()
    {
        { "{\"chat_template\": 5}", "$.chat_template", "*expected a template string or a list*found number 5*" },
        { "{\"bos_token\": 5}", "$.bos_token", "*expected a token string or an object with \"content\"*" },
        { "{\"added_tokens_decoder\": {\"abc\": {\"content\": \"x\"}}}", "$.added_tokens_decoder.abc", "*token id*found 'abc'*" },
        { "{\"padding_side\": \"middle\"}", "$.padding_side", "*\"left\" or \"right\"*" },
        { "{\"model_max_length\": \"big\"}", "$.model_max_length", "*expected a number*" },
        { "{\"add_bos_token\": \"yes\"}", "$.add_bos_token", "*expected true or false*" },
        { "[1, 2]", "$", "*expected an object; found array*" },
    };

    [Theory]
    [MemberData(nameof(ConfigCases))]
    public void Malformed_tokenizer_config_names_the_json_path(string config, string location, string message)
    {
        TinyLlama3Tokenizer.Write(_dir.Path);
        File.WriteAllText(_dir.File("tokenizer_config.json"), config);
        var act = () => PretrainedTokenizer.FromPretrained(_dir.Path);
        var error = act.Should().Throw<TokenizerFormatException>().Which;
        error.FilePath.Should().EndWith("tokenizer_config.json");
        error.Location.Should().Be(location);
        error.Message.Should().Match(message);
    }

    [Fact]
    public void A_truncated_sentencepiece_model_reports_the_byte_offset()
    {
        var bytes = TinyLlama2Tokenizer.ModelBytes();
        File.WriteAllBytes(_dir.File("tokenizer.model"), bytes[..(bytes.Length - 7)]);
        var act = () => PretrainedTokenizer.FromPretrained(_dir.Path);
        var error = act.Should().Throw<TokenizerFormatException>().Which;
        error.Location.Should().MatchRegex(@"^byte \d+ \(ModelProto\)$");
        error.Message.Should().Contain("runs past the end").And.Contain("not a valid SentencePiece model");
    }

    [Fact]
    public void A_file_that_is_not_a_sentencepiece_model_is_rejected()
    {
        File.WriteAllText(_dir.File("tokenizer.model"), "version https://git-lfs.github.com/spec/v1\n");
        var act = () => PretrainedTokenizer.FromPretrained(_dir.Path);
        act.Should().Throw<TokenizerFormatException>().WithMessage("*tokenizer.model*");
    }

    [Fact]
    public void A_bad_merges_line_reports_its_number()
    {
        File.Copy(TokenizerFolders.Gpt2File("encoder.json"), _dir.File("vocab.json"));
        File.WriteAllLines(_dir.File("merges.txt"), ["#version: 0.2", "Ġ t", "Ġ a b"]);
        var act = () => PretrainedTokenizer.FromPretrained(_dir.Path);
        var error = act.Should().Throw<TokenizerFormatException>().Which;
        error.Location.Should().Be("line 3");
        error.Message.Should().Contain("'Ġ a b'");
    }
}
