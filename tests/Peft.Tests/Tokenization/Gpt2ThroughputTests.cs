using System.Diagnostics;
using System.Text;
using FluentAssertions;
using Peft.Tokenization;
using Xunit;
using Xunit.Abstractions;

namespace Peft.Tests.Tokenization;

/// <summary>
/// On ~1 MB of TinyStories-like English, the library-backed and the managed BPE give identical ids that decode back
/// to the text. Throughput is written to the test output for information only (nothing is asserted about time).
/// </summary>
public sealed class Gpt2ThroughputTests(ITestOutputHelper output)
{
    /// <summary>Deterministic TinyStories-like stories (simple sentences, names, dialogue, punctuation).</summary>
    internal static List<string> Stories(int count, int seed = 7)
    {
        string[] names = ["Lily", "Tom", "Ben", "Mia", "Sue", "Max", "Anna", "Sam", "Timmy", "Lucy"];
        string[] animals = ["cat", "dog", "bird", "bunny", "frog", "bear", "duck", "fish"];
        string[] places = ["park", "garden", "forest", "house", "pond", "sky", "school", "beach"];
        string[] things = ["ball", "kite", "toy car", "red hat", "big box", "shiny stone", "flower", "cookie"];
        string[] feelings = ["happy", "sad", "scared", "excited", "proud", "sorry", "curious", "tired"];
        string[] verbs = ["play", "run", "jump", "sing", "dance", "read", "swim", "paint"];
        var random = new Random(seed);
        T Pick<T>(T[] items) => items[random.Next(items.Length)];
        var stories = new List<string>(count);
        for (var s = 0; s < count; s++)
        {
            var name = Pick(names);
            var friend = Pick(names);
            var text = new StringBuilder();
            text.Append($"Once upon a time, there was a little {Pick(animals)} named {name}. ");
            for (var k = 0; k < 6 + random.Next(6); k++)
            {
                switch (random.Next(5))
                {
                    case 0: text.Append($"{name} liked to {Pick(verbs)} in the {Pick(places)} with {friend}. "); break;
                    case 1: text.Append($"One day, {name} found a {Pick(things)} near the {Pick(places)}. "); break;
                    case 2: text.Append($"\"Can I {Pick(verbs)} with your {Pick(things)}?\" asked {friend}. "); break;
                    case 3: text.Append($"{name} felt {Pick(feelings)}, but {friend} said, \"Don't worry, it's okay!\" "); break;
                    default: text.Append($"They were {Pick(feelings)} and {Pick(verbs)}ed until {random.Next(2, 12)} o'clock. "); break;
                }
            }

            text.Append($"From that day on, {name} and {friend} were best friends.");
            stories.Add(text.ToString());
        }

        return stories;
    }

    [Fact]
    public void Library_and_managed_bpe_agree_on_a_megabyte_of_stories()
    {
        var stories = Stories(1500);
        var megabytes = stories.Sum(s => Encoding.UTF8.GetByteCount(s)) / 1e6;
        var library = Gpt2TokenizerTests.Load(Gpt2Form.JsonStringMerges);
        var managed = Gpt2TokenizerTests.Load(Gpt2Form.JsonStringMerges, managed: true);

        (int[][] Ids, double Seconds) Run(PretrainedTokenizer tokenizer)
        {
            // Warm the caches and let tiered compilation optimise the hot paths before timing.
            foreach (var story in stories.Take(300))
            {
                tokenizer.Encode(story);
            }

            var watch = Stopwatch.StartNew();
            var ids = stories.Select(s => tokenizer.Encode(s)).ToArray();
            return (ids, watch.Elapsed.TotalSeconds);
        }

        var (libraryIds, librarySeconds) = Run(library);
        var (managedIds, managedSeconds) = Run(managed);
        for (var i = 0; i < stories.Count; i++)
        {
            managedIds[i].Should().Equal(libraryIds[i], $"story {i}");
        }

        var watch = Stopwatch.StartNew();
        var decoded = libraryIds.Select(ids => library.Decode(ids)).ToArray();
        var decodeSeconds = watch.Elapsed.TotalSeconds;
        decoded.Should().Equal(stories);

        var tokens = libraryIds.Sum(r => r.Length);
        output.WriteLine($"{megabytes:F2} MB, {stories.Count} stories, {tokens} tokens ({megabytes * 1e6 / tokens:F2} bytes/token)");
        output.WriteLine($"encode, Microsoft.ML.Tokenizers BPE: {megabytes / librarySeconds:F1} MB/s ({tokens / librarySeconds / 1e6:F2} M tokens/s)");
        output.WriteLine($"encode, managed BPE:                 {megabytes / managedSeconds:F1} MB/s");
        output.WriteLine($"decode:                              {megabytes / decodeSeconds:F1} MB/s");
    }
}
