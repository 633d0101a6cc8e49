namespace Peft.Models;

/// <summary>The one wording for "these keys are missing / unexpected / mis-shaped", shared by checkpoints and adapters.</summary>
internal static class KeyMismatchText
{
    /// <summary><c>2 missing: a, b; 1 with the wrong shape: c: expected [..], found [..]</c> (at most 25 keys per kind).</summary>
    public static string Describe(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> mismatched)
    {
        var parts = new List<string>();
        void Add(string what, IReadOnlyList<string> keys)
        {
            if (keys.Count > 0)
            {
                parts.Add($"{keys.Count} {what}: {string.Join(", ", keys.Take(25))}{(keys.Count > 25 ? $", … ({keys.Count - 25} more)" : string.Empty)}");
            }
        }

        Add("missing", missing);
        Add("unexpected", unexpected);
        Add("with the wrong shape", mismatched);
        return string.Join("; ", parts);
    }
}
