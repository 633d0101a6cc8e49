namespace Peft.Evaluation.Rouge;

/// <summary>
/// The Porter stemmer exactly as NLTK's <c>nltk.stem.porter.PorterStemmer()</c> runs it in its default mode
/// (<c>NLTK_EXTENSIONS</c>), which is the stemmer Google's <c>rouge_score</c> uses when <c>use_stemmer=True</c>.
/// </summary>
/// <remarks>
/// <para>
/// The steps are those of Porter (1980), "An algorithm for suffix stripping", with the changes NLTK's default
/// mode makes to the published algorithm:
/// </para>
/// <list type="bullet">
/// <item>a table of irregular forms is looked up first (<c>skies</c>/<c>sky</c> → <c>sky</c>, <c>dying</c> → <c>die</c>,
/// <c>lying</c> → <c>lie</c>, <c>tying</c> → <c>tie</c>, <c>news</c> → <c>news</c>, <c>innings</c> → <c>inning</c>,
/// <c>outings</c> → <c>outing</c>, <c>cannings</c> → <c>canning</c>, <c>howe</c>, <c>proceed</c>, <c>exceed</c>,
/// <c>succeed</c> unchanged);</item>
/// <item>words of one or two characters are returned unchanged;</item>
/// <item>step 1a: a four-letter word in <c>-ies</c> becomes <c>-ie</c> (<c>ties</c> → <c>tie</c>, but <c>flies</c> → <c>fli</c>);</item>
/// <item>step 1b: <c>-ied</c> becomes <c>-ie</c> in a four-letter word and <c>-i</c> otherwise, before any other rule;</item>
/// <item>the *o condition also holds for a two-letter stem vowel–consonant (<c>aging</c> → <c>age</c>);</item>
/// <item>step 1c: <c>y</c> → <c>i</c> only when the <c>y</c> follows a consonant that is not the word's first letter
/// (<c>happy</c> → <c>happi</c>, <c>cry</c> → <c>cri</c>, <c>enjoy</c> → <c>enjoy</c>);</item>
/// <item>step 2: <c>-alli</c> → <c>-al</c> is tried first and step 2 then runs again; <c>-bli</c> → <c>-ble</c> replaces
/// <c>-abli</c> → <c>-able</c>; <c>-fulli</c> → <c>-ful</c> and <c>-logi</c> → <c>-log</c> (measure taken with the
/// <c>l</c>) are added.</item>
/// </list>
/// <para>
/// Like NLTK, the input is lowercased before stemming, but the irregular-form table is looked up with the word as
/// given, so <c>"Skies"</c> stems to <c>"ski"</c> while <c>"skies"</c> stems to <c>"sky"</c>. ROUGE only passes
/// lowercase tokens, where this never matters. Characters other than <c>a e i o u</c> (and <c>y</c> after a
/// consonant) count as consonants, digits included. Instances are stateless and thread-safe.
/// </para>
/// </remarks>
public sealed class PorterStemmer
{
    private static readonly Dictionary<string, string> Irregular = new(StringComparer.Ordinal)
    {
        ["sky"] = "sky", ["skies"] = "sky",
        ["dying"] = "die", ["lying"] = "lie", ["tying"] = "tie",
        ["news"] = "news",
        ["innings"] = "inning", ["inning"] = "inning",
        ["outings"] = "outing", ["outing"] = "outing",
        ["cannings"] = "canning", ["canning"] = "canning",
        ["howe"] = "howe",
        ["proceed"] = "proceed", ["exceed"] = "exceed", ["succeed"] = "succeed",
    };

    private static readonly (string Suffix, string Replacement)[] Step2Rules =
    [
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
        ("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"),
        ("ization", "ize"), ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"),
        ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"),
        ("fulli", "ful"), ("logi", "log"),
    ];

    private static readonly (string Suffix, string Replacement)[] Step3Rules =
    [
        ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""),
    ];

    private static readonly string[] Step4Suffixes =
    [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
        "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize",
    ];

    /// <summary>A shared instance (the stemmer holds no state).</summary>
    public static PorterStemmer Instance { get; } = new();

    /// <summary>Stems one word the way NLTK's default-mode <c>PorterStemmer.stem(word)</c> does.</summary>
    /// <param name="word">The word; it is lowercased first (invariant culture).</param>
    /// <returns>The stem (lowercase).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="word"/> is null.</exception>
    public string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var lower = word.ToLowerInvariant();
        if (Irregular.TryGetValue(word, out var irregular))
        {
            return irregular;
        }

        if (word.Length <= 2)
        {
            return lower;
        }

        var stem = Step1a(lower);
        stem = Step1b(stem);
        stem = Step1c(stem);
        stem = Step2(stem);
        stem = Step3(stem);
        stem = Step4(stem);
        stem = Step5a(stem);
        return Step5b(stem);
    }

    private static string Step1a(string word)
    {
        if (word.Length == 4 && EndsWith(word, "ies"))
        {
            return word[..^3] + "ie";
        }

        if (EndsWith(word, "sses")) return word[..^4] + "ss";
        if (EndsWith(word, "ies")) return word[..^3] + "i";
        if (EndsWith(word, "ss")) return word;
        if (EndsWith(word, "s")) return word[..^1];
        return word;
    }

    private static string Step1b(string word)
    {
        if (EndsWith(word, "ied"))
        {
            return word.Length == 4 ? word[..^3] + "ie" : word[..^3] + "i";
        }

        if (EndsWith(word, "eed"))
        {
            var stem = word[..^3];
            return Measure(stem) > 0 ? stem + "ee" : word;
        }

        string intermediate;
        if (EndsWith(word, "ed") && ContainsVowel(word.AsSpan(0, word.Length - 2)))
        {
            intermediate = word[..^2];
        }
        else if (EndsWith(word, "ing") && ContainsVowel(word.AsSpan(0, word.Length - 3)))
        {
            intermediate = word[..^3];
        }
        else
        {
            return word;
        }

        // The tidy-up rules after a successful -ed/-ing removal; the first that matches decides.
        if (EndsWith(intermediate, "at") || EndsWith(intermediate, "bl") || EndsWith(intermediate, "iz"))
        {
            return intermediate + "e";
        }

        if (EndsWithDoubleConsonant(intermediate))
        {
            var last = intermediate[^1];
            return last is 'l' or 's' or 'z' ? intermediate : intermediate[..^1];
        }

        return Measure(intermediate) == 1 && EndsCvc(intermediate) ? intermediate + "e" : intermediate;
    }

    private static string Step1c(string word)
    {
        if (!EndsWith(word, "y"))
        {
            return word;
        }

        var stem = word.AsSpan(0, word.Length - 1);
        return stem.Length > 1 && IsConsonant(stem, stem.Length - 1) ? string.Concat(stem, "i") : word;
    }

    private static string Step2(string word)
    {
        if (EndsWith(word, "alli") && Measure(word.AsSpan(0, word.Length - 4)) > 0)
        {
            return Step2(word[..^4] + "al");
        }

        foreach (var (suffix, replacement) in Step2Rules)
        {
            if (!EndsWith(word, suffix))
            {
                continue;
            }

            var stem = word[..^suffix.Length];
            // For -logi the measure is taken with the 'l' kept on the stem (geology -> geolog).
            var measured = suffix == "logi" ? word.AsSpan(0, word.Length - 3) : stem.AsSpan();
            return Measure(measured) > 0 ? stem + replacement : word;
        }

        return word;
    }

    private static string Step3(string word)
    {
        foreach (var (suffix, replacement) in Step3Rules)
        {
            if (EndsWith(word, suffix))
            {
                var stem = word[..^suffix.Length];
                return Measure(stem) > 0 ? stem + replacement : word;
            }
        }

        return word;
    }

    private static string Step4(string word)
    {
        foreach (var suffix in Step4Suffixes)
        {
            if (!EndsWith(word, suffix))
            {
                continue;
            }

            var stem = word[..^suffix.Length];
            var removable = Measure(stem) > 1 && (suffix != "ion" || stem[^1] is 's' or 't');
            return removable ? stem : word;
        }

        return word;
    }

    private static string Step5a(string word)
    {
        if (!EndsWith(word, "e"))
        {
            return word;
        }

        var stem = word[..^1];
        var m = Measure(stem);
        return m > 1 || (m == 1 && !EndsCvc(stem)) ? stem : word;
    }

    private static string Step5b(string word) =>
        EndsWith(word, "ll") && Measure(word.AsSpan(0, word.Length - 1)) > 1 ? word[..^1] : word;

    private static bool EndsWith(string word, string suffix) => word.EndsWith(suffix, StringComparison.Ordinal);

    /// <summary>Porter's consonant: not a, e, i, o, u, and not a y that follows a consonant.</summary>
    private static bool IsConsonant(ReadOnlySpan<char> word, int i) => word[i] switch
    {
        'a' or 'e' or 'i' or 'o' or 'u' => false,
        'y' => i == 0 || !IsConsonant(word, i - 1),
        _ => true,
    };

    /// <summary>The measure m of [C](VC){m}[V]: the number of vowel-to-consonant transitions.</summary>
    private static int Measure(ReadOnlySpan<char> stem)
    {
        var m = 0;
        var previousIsVowel = false;
        for (var i = 0; i < stem.Length; i++)
        {
            var isVowel = !IsConsonant(stem, i);
            if (previousIsVowel && !isVowel)
            {
                m++;
            }

            previousIsVowel = isVowel;
        }

        return m;
    }

    private static bool ContainsVowel(ReadOnlySpan<char> stem)
    {
        for (var i = 0; i < stem.Length; i++)
        {
            if (!IsConsonant(stem, i))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Condition *d: the word ends with two equal consonants.</summary>
    private static bool EndsWithDoubleConsonant(string word) =>
        word.Length >= 2 && word[^1] == word[^2] && IsConsonant(word, word.Length - 1);

    /// <summary>
    /// Condition *o: consonant–vowel–consonant at the end, the last not w, x or y; NLTK also accepts a whole
    /// two-letter word vowel–consonant.
    /// </summary>
    private static bool EndsCvc(string word)
    {
        var n = word.Length;
        if (n >= 3 && IsConsonant(word, n - 3) && !IsConsonant(word, n - 2) && IsConsonant(word, n - 1)
            && word[^1] is not ('w' or 'x' or 'y'))
        {
            return true;
        }

        return n == 2 && !IsConsonant(word, 0) && IsConsonant(word, 1);
    }
}
