namespace Peft.Tokenization.Templates.Runtime;

/// <summary>Evaluated call arguments, bound to a builtin's Python-style signature on demand.</summary>
internal sealed class Arguments(object?[] positional, KeyValuePair<string, object?>[] keywords)
{
    public static readonly Arguments None = new([], []);

    /// <summary>Marks a parameter that was neither passed nor given a default.</summary>
    public static readonly object Missing = new();

    public object?[] Positional { get; } = positional;

    public KeyValuePair<string, object?>[] Keywords { get; } = keywords;

    public bool IsEmpty => Positional.Length == 0 && Keywords.Length == 0;

    /// <summary>Binds to parameters <paramref name="names"/>; the first <paramref name="required"/> have no default,
    /// the rest take <paramref name="defaults"/> in order. Errors read like Python's.</summary>
    public object?[] Bind(string function, string[] names, int required, params object?[] defaults)
    {
        if (Positional.Length > names.Length)
        {
            throw JinjaException.Type($"{function}() takes at most {names.Length} argument(s) ({Positional.Length} given)");
        }

        var values = new object?[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            values[i] = i < Positional.Length ? Positional[i] : Missing;
        }

        foreach (var (key, value) in Keywords)
        {
            var index = Array.IndexOf(names, key);
            if (index < 0)
            {
                throw JinjaException.Type($"{function}() got an unexpected keyword argument '{key}'");
            }

            if (values[index] != Missing)
            {
                throw JinjaException.Type($"{function}() got multiple values for argument '{key}'");
            }

            values[index] = value;
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (values[i] == Missing)
            {
                if (i < required)
                {
                    throw JinjaException.Type($"{function}() missing required argument '{names[i]}'");
                }

                values[i] = defaults[i - required];
            }
        }

        return values;
    }
}
