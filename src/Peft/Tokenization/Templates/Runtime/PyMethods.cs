using System.Text;

namespace Peft.Tokenization.Templates.Runtime;

/// <summary>The Python str, dict and list methods that chat templates call (<c>content.strip()</c>,
/// <c>tool.items()</c>, <c>message.get('x')</c>, ...), with Python's arguments, results and errors.</summary>
internal static class PyMethods
{
    public static object? Call(object target, string name, Arguments args) => target switch
    {
        string s => CallString(s, name, args),
        PyDict d => CallDict(d, name, args),
        PyList l => CallList(l, name, args),
        _ => throw JinjaException.Type($"'{PyOps.TypeName(target)}' object has no method '{name}'"),
    };

    private static object? CallDict(PyDict d, string name, Arguments args)
    {
        switch (name)
        {
            case "items":
                NoArgs(args, name);
                return new PyList(d.Map.Select(kv => (object?)PyList.Tuple(PyDict.FromKey(kv.Key), kv.Value)).ToList(), SeqKind.DictItems);
            case "keys":
                NoArgs(args, name);
                return new PyList(d.Keys.ToList(), SeqKind.DictKeys);
            case "values":
                NoArgs(args, name);
                return new PyList(d.Map.Values.ToList(), SeqKind.DictValues);
            case "get":
                Positional(args, name, 1, 2);
                PyOps.Hash(args.Positional[0]);
                return d.TryGet(args.Positional[0], out var value) ? value : args.Positional.Length > 1 ? args.Positional[1] : null;
            default:
                NoArgs(args, name);
                var copy = new PyDict(d.Count);
                foreach (var (k, v) in d.Map)
                {
                    copy.Map[k] = v;
                }

                return copy;
        }
    }

    private static object? CallList(PyList l, string name, Arguments args)
    {
        switch (name)
        {
            case "index":
                Positional(args, name, 1, 1);
                var i = l.Items.FindIndex(x => PyOps.Equal(x, args.Positional[0]));
                return i >= 0 ? (long)i : throw JinjaException.Value($"{PyRepr.Repr(args.Positional[0])} is not in list");
            case "count":
                Positional(args, name, 1, 1);
                return (long)l.Items.Count(x => PyOps.Equal(x, args.Positional[0]));
            default:
                NoArgs(args, name);
                return new PyList([.. l.Items], l.Kind);
        }
    }

    private static object? CallString(string s, string name, Arguments args)
    {
        switch (name)
        {
            case "strip" or "lstrip" or "rstrip":
                Positional(args, name, 0, 1);
                var chars = args.Positional.Length > 0 ? OptionalString(args.Positional[0], name) : null;
                return name == "strip" ? PyString.Strip(s, chars) : name == "lstrip" ? PyString.LStrip(s, chars) : PyString.RStrip(s, chars);
            case "split" or "rsplit":
                var split = args.Bind(name, ["sep", "maxsplit"], 0, null, -1L);
                var sep = OptionalString(split[0], name);
                var max = PyOps.IsInteger(split[1]) ? PyOps.AsLong(split[1]) : throw JinjaException.Type($"'{PyOps.TypeName(split[1])}' object cannot be interpreted as an integer");
                return new PyList(name == "split" ? PyString.Split(s, sep, max) : PyString.RSplit(s, sep, max));
            case "splitlines":
                return new PyList(PyString.SplitLines(s, PyOps.Truthy(args.Bind(name, ["keepends"], 0, false)[0])));
            case "startswith" or "endswith":
                Positional(args, name, 1, 3);
                var region = Region(s, args, 1);
                var candidates = args.Positional[0] is PyList { Kind: SeqKind.Tuple } options ? options.Items : [args.Positional[0]];
                foreach (var candidate in candidates)
                {
                    var text = candidate as string ?? throw JinjaException.Type($"{name} first arg must be str or a tuple of str, not {PyOps.TypeName(candidate)}");
                    if (name == "startswith" ? region.StartsWith(text, StringComparison.Ordinal) : region.EndsWith(text, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }

                return false;
            case "upper":
                NoArgs(args, name);
                return PyString.Upper(s);
            case "lower" or "casefold":
                NoArgs(args, name);
                return PyString.Lower(s);
            case "title":
                NoArgs(args, name);
                return PyString.Title(s);
            case "capitalize":
                NoArgs(args, name);
                return PyString.Capitalize(s);
            case "swapcase":
                NoArgs(args, name);
                return string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));
            case "replace":
                Positional(args, name, 2, 3);
                return PyString.Replace(s, RequireString(args.Positional[0], name), RequireString(args.Positional[1], name), args.Positional.Length > 2 ? PyOps.AsLong(args.Positional[2]) : -1);
            case "find" or "rfind" or "index" or "rindex":
                Positional(args, name, 1, 3);
                var sub = RequireString(args.Positional[0], name);
                var offset = args.Positional.Length > 1 ? ClampIndex(args.Positional[1], s.Length) : 0;
                var hay = Region(s, args, 1);
                var at = name is "find" or "index" ? hay.IndexOf(sub, StringComparison.Ordinal) : hay.LastIndexOf(sub, StringComparison.Ordinal);
                if (at < 0 && name is "index" or "rindex")
                {
                    throw JinjaException.Value("substring not found");
                }

                return at < 0 ? -1L : (long)(at + offset);
            case "count":
                Positional(args, name, 1, 3);
                var needle = RequireString(args.Positional[0], name);
                var within = Region(s, args, 1);
                return needle.Length == 0 ? (long)PyString.Length(within) + 1 : (long)CountOccurrences(within, needle);
            case "format":
                return StrFormat.Format(s, args);
            case "format_map":
                Positional(args, name, 1, 1);
                return StrFormat.Format(s, Arguments.None, args.Positional[0] as PyDict ?? throw JinjaException.Type("format_map() argument must be a mapping"));
            case "join":
                Positional(args, name, 1, 1);
                var parts = new List<string>();
                foreach (var item in PyAccess.Iterate(args.Positional[0]))
                {
                    parts.Add(item as string ?? throw JinjaException.Type($"sequence item {parts.Count}: expected str instance, {PyOps.TypeName(item)} found"));
                }

                return string.Join(s, parts);
            case "center" or "ljust" or "rjust":
                Positional(args, name, 1, 2);
                var width = PyOps.AsLong(args.Positional[0]);
                var fill = args.Positional.Length > 1 ? RequireString(args.Positional[1], name) : " ";
                var pad = (int)Math.Max(0, width - PyString.Length(s));
                return name == "center" ? PyString.Center(s, width, fill) : name == "ljust" ? s + PyString.Repeat(fill, pad) : PyString.Repeat(fill, pad) + s;
            case "zfill":
                Positional(args, name, 1, 1);
                var z = (int)Math.Max(0, PyOps.AsLong(args.Positional[0]) - PyString.Length(s));
                var signed = s.Length > 0 && s[0] is '+' or '-';
                return signed ? s[0] + new string('0', z) + s[1..] : new string('0', z) + s;
            case "partition" or "rpartition":
                Positional(args, name, 1, 1);
                var separator = RequireString(args.Positional[0], name);
                var p = name == "partition" ? s.IndexOf(separator, StringComparison.Ordinal) : s.LastIndexOf(separator, StringComparison.Ordinal);
                if (p < 0)
                {
                    return name == "partition" ? PyList.Tuple(s, "", "") : PyList.Tuple("", "", s);
                }

                return PyList.Tuple(s[..p], separator, s[(p + separator.Length)..]);
            case "removeprefix":
                Positional(args, name, 1, 1);
                var prefix = RequireString(args.Positional[0], name);
                return s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s;
            case "removesuffix":
                Positional(args, name, 1, 1);
                var suffix = RequireString(args.Positional[0], name);
                return suffix.Length > 0 && s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;
            case "expandtabs":
                var tab = (int)PyOps.AsLong(args.Bind(name, ["tabsize"], 0, 8L)[0]);
                return ExpandTabs(s, tab);
            default:
                NoArgs(args, name);
                return Predicate(s, name);
        }
    }

    private static bool Predicate(string s, string name)
    {
        if (s.Length == 0)
        {
            return name is "isascii" or "isprintable";
        }

        return name switch
        {
            "isdigit" or "isdecimal" or "isnumeric" => s.All(char.IsDigit),
            "isalpha" => s.All(char.IsLetter),
            "isalnum" => s.All(char.IsLetterOrDigit),
            "isspace" => s.All(PyString.IsSpace),
            "isupper" => s.Any(char.IsUpper) && !s.Any(char.IsLower),
            "islower" => s.Any(char.IsLower) && !s.Any(char.IsUpper),
            "istitle" => PyString.Title(s) == s && s.Any(char.IsLetter),
            "isidentifier" => (char.IsLetter(s[0]) || s[0] == '_') && s.All(c => char.IsLetterOrDigit(c) || c == '_'),
            "isascii" => s.All(char.IsAscii),
            _ => !s.Any(c => char.IsControl(c) || (c != ' ' && char.IsWhiteSpace(c))),
        };
    }

    private static string Region(string s, Arguments args, int first)
    {
        var start = args.Positional.Length > first ? ClampIndex(args.Positional[first], s.Length) : 0;
        var end = args.Positional.Length > first + 1 ? ClampIndex(args.Positional[first + 1], s.Length) : s.Length;
        return end > start ? s[start..end] : "";
    }

    private static int ClampIndex(object? value, int length)
    {
        if (value is null)
        {
            return 0;
        }

        var i = PyOps.AsLong(value);
        i = i < 0 ? Math.Max(0, i + length) : Math.Min(i, length);
        return (int)i;
    }

    private static int CountOccurrences(string s, string needle)
    {
        var count = 0;
        for (var at = s.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = s.IndexOf(needle, at + needle.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string ExpandTabs(string s, int tabSize)
    {
        var sb = new StringBuilder();
        var column = 0;
        foreach (var c in s)
        {
            if (c == '\t')
            {
                var spaces = tabSize > 0 ? tabSize - (column % tabSize) : 0;
                sb.Append(' ', spaces);
                column += spaces;
            }
            else
            {
                sb.Append(c);
                column = c is '\n' or '\r' ? 0 : column + 1;
            }
        }

        return sb.ToString();
    }

    private static string RequireString(object? value, string method) =>
        value as string ?? throw JinjaException.Type($"{method}() argument must be str, not {PyOps.TypeName(value)}");

    private static string? OptionalString(object? value, string method) =>
        value is null ? null : value as string ?? throw JinjaException.Type($"{method} arg must be None or str");

    private static void NoArgs(Arguments args, string name)
    {
        if (!args.IsEmpty)
        {
            throw JinjaException.Type($"{name}() takes no arguments ({args.Positional.Length + args.Keywords.Length} given)");
        }
    }

    private static void Positional(Arguments args, string name, int min, int max)
    {
        if (args.Keywords.Length > 0)
        {
            throw JinjaException.Type($"{name}() takes no keyword arguments");
        }

        if (args.Positional.Length < min || args.Positional.Length > max)
        {
            throw JinjaException.Type(min == max
                ? $"{name}() takes exactly {min} argument ({args.Positional.Length} given)"
                : $"{name} expected at most {max} arguments, got {args.Positional.Length}");
        }
    }
}
