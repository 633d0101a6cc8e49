using FluentAssertions;
using Peft.Evaluation.Rouge;
using Xunit;

namespace Peft.Tests.Evaluation.Rouge;

/// <summary>
/// ROUGE cases whose expected precision, recall and F-measure were computed by hand from rouge_score's published
/// algorithm (the computation is in the comment of each row). Tolerance 1e-12: every value is a small fraction.
/// P is measured against the prediction, R against the reference, F = 2PR/(P+R) (0 when P+R = 0).
/// </summary>
public sealed class RougeScorerHandCheckedTests
{
    private const double Tolerance = 1e-12;

    public static TheoryData<string, string, bool, string, double, double, double> Cases => new()
    {
        // --- identical, empty, punctuation-only ---
        // tokens equal (6): every unigram matches -> 6/6.
        { "the cat sat on the mat", "the cat sat on the mat", false, "rouge1", 1, 1, 1 },
        // LCS = whole sequence, 6/6.
        { "the cat sat on the mat", "the cat sat on the mat", false, "rougeL", 1, 1, 1 },
        // empty prediction: 0 prediction n-grams -> overlap 0, P = 0/max(0,1), R = 0/2.
        { "", "the cat", false, "rouge1", 0, 0, 0 },
        // empty prediction: rougeL returns 0 for an empty side.
        { "", "the cat", false, "rougeL", 0, 0, 0 },
        // empty reference: no reference sentence -> 0.
        { "the cat", "", false, "rougeLsum", 0, 0, 0 },
        // both empty: 0, not 1.
        { "", "", false, "rouge1", 0, 0, 0 },
        // punctuation only -> no tokens -> 0.
        { "!!! ... ???", "the cat", false, "rouge1", 0, 0, 0 },
        // both punctuation only: no tokens on either side -> 0 even though "equal".
        { "?!", "...", false, "rougeL", 0, 0, 0 },
        // --- case, punctuation as separator, numbers ---
        // lowercased: [the cat sat] both; bigrams (the cat)(cat sat) match 2/2.
        { "The CAT Sat", "the cat sat", false, "rouge2", 1, 1, 1 },
        // [well known e mail] on both sides -> 3/3 bigrams.
        { "well-known, e-mail!", "well known e mail", false, "rouge2", 1, 1, 1 },
        // pred [3 14 is pi], ref [314 is pi]: overlap {is, pi} = 2; P = 2/4, R = 2/3, F = 2(1/3)/(7/6) = 4/7.
        { "3.14 is pi", "314 is pi", false, "rouge1", 0.5, 2.0 / 3, 4.0 / 7 },
        // bigrams pred (3 14)(14 is)(is pi), ref (314 is)(is pi): overlap 1; P = 1/3, R = 1/2, F = (1/3)/(5/6) = 2/5.
        { "3.14 is pi", "314 is pi", false, "rouge2", 1.0 / 3, 0.5, 0.4 },
        // --- repeated words (counts are clipped) ---
        // the x4 vs the x1: overlap min(4,1) = 1; P = 1/4, R = 1/2, F = (1/4)/(3/4) = 1/3.
        { "the the the the", "the cat", false, "rouge1", 0.25, 0.5, 1.0 / 3 },
        // LCS = [the] = 1; same fractions.
        { "the the the the", "the cat", false, "rougeL", 0.25, 0.5, 1.0 / 3 },
        // a:min(2,3)=2, b:1 -> 3; P = 3/3, R = 3/4, F = 1.5/1.75 = 6/7.
        { "a a b", "a a a b", false, "rouge1", 1, 0.75, 6.0 / 7 },
        // trigrams pred (a a b) = 1, ref (a a a)(a a b) = 2; overlap 1; P = 1, R = 1/2, F = 2/3.
        { "a a b", "a a a b", false, "rouge3", 1, 0.5, 2.0 / 3 },
        // --- accents and non-Latin text (0 by design) ---
        // pred [caf na ve], ref [cafe naive]: no overlap.
        { "café naïve", "cafe naive", false, "rouge1", 0, 0, 0 },
        // 'é' is a separator, so "café" is [caf] and equals "caf".
        { "café", "caf", false, "rouge1", 1, 1, 1 },
        // Japanese: no [a-z0-9] -> no tokens -> 0 even for identical texts.
        { "日本語のテキスト", "日本語のテキスト", false, "rouge1", 0, 0, 0 },
        // Cyrillic likewise.
        { "Москва", "Москва", false, "rougeL", 0, 0, 0 },
        // only [2020 olympics] survives on the prediction side -> bigram (2020 olympics) 1/1.
        { "東京 2020 olympics", "2020 olympics", false, "rouge2", 1, 1, 1 },
        // 'İ' lowercases (Python) to 'i' + combining dot: [i stanbul] on both sides.
        { "\u0130stanbul", "i stanbul", false, "rouge2", 1, 1, 1 },
        // --- n of any size on one pair ---
        // pred [the cat sat on the mat], ref [the cat lay on the mat]: bigrams 5 each, common (the cat)(on the)(the mat) = 3.
        { "the cat sat on the mat", "the cat lay on the mat", false, "rouge2", 0.6, 0.6, 0.6 },
        // unigrams: the x2, cat, on, mat common = 5 of 6 on each side.
        { "the cat sat on the mat", "the cat lay on the mat", false, "rouge1", 5.0 / 6, 5.0 / 6, 5.0 / 6 },
        // LCS = [the cat on the mat] = 5 of 6.
        { "the cat sat on the mat", "the cat lay on the mat", false, "rougeL", 5.0 / 6, 5.0 / 6, 5.0 / 6 },
        // trigrams 4 each, only (on the mat) common: 1/4.
        { "the cat sat on the mat", "the cat lay on the mat", false, "rouge3", 0.25, 0.25, 0.25 },
        // 4-grams 3 each, none common.
        { "the cat sat on the mat", "the cat lay on the mat", false, "rouge4", 0, 0, 0 },
        // 3 tokens have no 5-gram: 0/max(0,1) = 0 even for identical texts.
        { "a b c", "a b c", false, "rouge5", 0, 0, 0 },
        // 10 tokens: one 10-gram each, equal -> 1/1.
        { "a b c d e f g h i j", "a b c d e f g h i j", false, "rouge10", 1, 1, 1 },
        // --- order: n-grams vs LCS ---
        // same bag of words -> rouge1 = 1.
        { "b a c", "a b c", false, "rouge1", 1, 1, 1 },
        // bigrams (b a)(a c) vs (a b)(b c): none common.
        { "b a c", "a b c", false, "rouge2", 0, 0, 0 },
        // LCS of [b a c] and [a b c] = 2 ([a c] or [b c]): 2/3.
        { "b a c", "a b c", false, "rougeL", 2.0 / 3, 2.0 / 3, 2.0 / 3 },
        // LCS [a b] = 2: P = 2/2, R = 2/4, F = 1/(1.5) = 2/3.
        { "a b", "a x b y", false, "rougeL", 1, 0.5, 2.0 / 3 },
        // --- stemming on/off ---
        // off: [the cats were running] vs [the cat was running]: common {the, running} = 2 of 4.
        { "the cats were running", "the cat was running", false, "rouge1", 0.5, 0.5, 0.5 },
        // on: cats -> cat, running -> run, were -> were, the/cat/was (<= 3 chars) untouched: common {the cat run} = 3 of 4.
        { "the cats were running", "the cat was running", true, "rouge1", 0.75, 0.75, 0.75 },
        // on: bigrams (the cat)(cat were)(were run) vs (the cat)(cat was)(was run): 1 of 3.
        { "the cats were running", "the cat was running", true, "rouge2", 1.0 / 3, 1.0 / 3, 1.0 / 3 },
        // NLTK: 4-letter "dies" -> "die" (the published algorithm gives "di"); "die" (3 chars) is not stemmed.
        { "dies", "die", true, "rouge1", 1, 1, 1 },
        // NLTK's irregular table keeps "news"; "new" is not stemmed: no match.
        { "news", "new", true, "rouge1", 0, 0, 0 },
        // 3-character tokens are never stemmed: "its" stays "its".
        { "its", "it", true, "rouge1", 0, 0, 0 },
        // "cats" (4 chars) -> "cat".
        { "cats", "cat", true, "rouge1", 1, 1, 1 },
        // --- rougeLsum: sentences, union LCS ---
        // sentences ref [a b][c d], pred [c d][a b]: ref [a b] unions LCS {0,1} (from pred [a b]) -> 2 hits;
        // ref [c d] -> 2 hits; 4/4 each.
        { "c d\na b", "a b\nc d", false, "rougeLsum", 1, 1, 1 },
        // same texts, rougeL ignores lines: LCS([c d a b], [a b c d]) = 2 -> 2/4.
        { "c d\na b", "a b\nc d", false, "rougeL", 0.5, 0.5, 0.5 },
        // "\r\n": split on "\n" leaves "\r", which the tokenizer drops: same as above.
        { "c d\r\na b", "a b\r\nc d", false, "rougeLsum", 1, 1, 1 },
        // empty lines are dropped, a trailing newline changes nothing.
        { "c d\n\n\na b\n", "a b\nc d", false, "rougeLsum", 1, 1, 1 },
        // no newline: one sentence each, so rougeLsum = rougeL = 2/4.
        { "c d a b", "a b c d", false, "rougeLsum", 0.5, 0.5, 0.5 },
        // Lin (2004) sec. 3.2 example: ref r = [w1..w5]; LCS(r, c1 = [w1 w2 w6 w7 w8]) = {w1 w2},
        // LCS(r, c2 = [w1 w3 w8 w9 w5]) = {w1 w3 w5}; union {w1 w2 w3 w5} = 4 hits; P = 4/10, R = 4/5, F = 0.64/1.2 = 8/15.
        { "w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5", "w1 w2 w3 w4 w5", false, "rougeLsum", 0.4, 0.8, 8.0 / 15 },
        // one reference sentence [a b c d]; pred sentences [c d] -> {2,3}, [a b] -> {0,1}; union = 4 hits: 4/4
        // (rougeL of the same texts is 2/4: union LCS rewards reordered sentences).
        { "c d\na b", "a b c d", false, "rougeLsum", 1, 1, 1 },
        // no double counting: ref sentences [a b][a b], pred [a b]. First ref sentence: hits a, b (pred counts -> 0);
        // second: the union is {a, b} again but the prediction has no copies left -> 2 hits; P = 2/2, R = 2/4, F = 2/3.
        { "a b", "a b\na b", false, "rougeLsum", 1, 0.5, 2.0 / 3 },
        // the backtrack picks the LAST equal token: LCS([a b a], [a]) = position 2, LCS([a b a], [a b]) = {0,1};
        // union {0,1,2} = 3 hits (counts a:2, b:1 on both sides): 3/3. Choosing position 0 would give 2/3.
        { "a\na b", "a b a", false, "rougeLsum", 1, 1, 1 },
        // whole-text n-grams run across line breaks: [a b] on both sides.
        { "a\nb", "a b", false, "rouge2", 1, 1, 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesHandComputation(
        string prediction, string reference, bool useStemmer, string metric, double precision, double recall, double fmeasure)
    {
        var scorer = RougeScorer.Create(new RougeOptions { RougeTypes = [metric], UseStemmer = useStemmer });

        var score = scorer.Score(prediction, reference)[metric];

        score.Precision.Should().BeApproximately(precision, Tolerance);
        score.Recall.Should().BeApproximately(recall, Tolerance);
        score.FMeasure.Should().BeApproximately(fmeasure, Tolerance);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameResultWhenComputedAlongsideEveryOtherMetric(
        string prediction, string reference, bool useStemmer, string metric, double precision, double recall, double fmeasure)
    {
        // rouge_score skips whole-text tokenization when only rougeLsum is asked for; all paths must agree.
        var scorer = RougeScorer.Create(new RougeOptions
        {
            RougeTypes = ["rougeLsum", "rouge1", "rouge2", "rouge3", "rouge4", "rouge5", "rouge10", "rougeL"],
            UseStemmer = useStemmer,
        });

        var score = scorer.Score(prediction, reference)[metric];

        score.Precision.Should().BeApproximately(precision, Tolerance);
        score.Recall.Should().BeApproximately(recall, Tolerance);
        score.FMeasure.Should().BeApproximately(fmeasure, Tolerance);
    }
}
