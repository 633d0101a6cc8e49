using System.Text;
using Peft.Tokenization.Templates.Syntax;

namespace Peft.Tokenization.Templates.Runtime;

/// <summary>Walks a parsed template and writes its output. One instance per render; not thread-safe.</summary>
internal sealed partial class Interpreter(SourceText source, TimeProvider clock)
{
    private const int MaxCallDepth = 400;

    private int _callDepth;

    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    public TimeProvider Clock { get; } = clock;

    public string Render(Stmt[] body, Scope scope)
    {
        var output = new StringBuilder(1024);
        ExecBody(body, scope, output);
        return output.ToString();
    }

    private Flow ExecBody(Stmt[] body, Scope scope, StringBuilder output)
    {
        foreach (var stmt in body)
        {
            var flow = Exec(stmt, scope, output);
            if (flow != Flow.Normal)
            {
                return flow;
            }
        }

        return Flow.Normal;
    }

    private Flow Exec(Stmt stmt, Scope scope, StringBuilder output)
    {
        try
        {
            switch (stmt)
            {
                case TextStmt text:
                    output.Append(text.Text);
                    return Flow.Normal;
                case PrintStmt print:
                    AppendStr(output, Eval(print.Value, scope));
                    return Flow.Normal;
                case IfStmt ifStmt:
                    for (var i = 0; i < ifStmt.Conditions.Length; i++)
                    {
                        if (PyOps.Truthy(Eval(ifStmt.Conditions[i], scope)))
                        {
                            return ExecBody(ifStmt.Bodies[i], scope, output);
                        }
                    }

                    return ifStmt.Otherwise is null ? Flow.Normal : ExecBody(ifStmt.Otherwise, scope, output);
                case ForStmt forStmt:
                    ExecFor(forStmt, scope, output);
                    return Flow.Normal;
                case SetStmt set:
                    Assign(set.Target, Eval(set.Value, scope), scope);
                    return Flow.Normal;
                case SetBlockStmt setBlock:
                    var captured = RenderToString(setBlock.Body, new Scope(scope));
                    Assign(setBlock.Target, setBlock.Filter is null ? captured : ApplyFilterChain(setBlock.Filter, captured, scope), scope);
                    return Flow.Normal;
                case MacroStmt macro:
                    scope.Set(macro.Name, new MacroValue(macro.Name, macro.Signature, macro.Body, scope));
                    return Flow.Normal;
                case CallBlockStmt callBlock:
                    AppendStr(output, EvalCallBlock(callBlock, scope));
                    return Flow.Normal;
                case FilterBlockStmt filterBlock:
                    object? filtered = RenderToString(filterBlock.Body, new Scope(scope));
                    foreach (var filter in filterBlock.Filters)
                    {
                        filtered = filter.Filter.Apply(this, filtered, EvalArgs(filter.Args, scope));
                    }

                    AppendStr(output, filtered);
                    return Flow.Normal;
                case WithStmt with:
                    var withScope = new Scope(scope);
                    for (var i = 0; i < with.Targets.Length; i++)
                    {
                        Assign(with.Targets[i], Eval(with.Values[i], scope), withScope);
                    }

                    return ExecBody(with.Body, withScope, output);
                case ScopeStmt scoped:
                    return ExecBody(scoped.Body, new Scope(scope), output);
                case BreakStmt:
                    return Flow.Break;
                case ContinueStmt:
                    return Flow.Continue;
                default:
                    throw new InvalidOperationException($"Unknown statement {stmt.GetType().Name}");
            }
        }
        catch (Exception ex) when (ex is JinjaException or TemplateRaisedException)
        {
            throw Locate(ex, stmt.Start, stmt.End);
        }
        catch (Exception ex) when (IsUnexpected(ex))
        {
            throw Locate(new JinjaException("InternalError", $"{ex.GetType().Name}: {ex.Message}"), stmt.Start, stmt.End);
        }
    }

    private string RenderToString(Stmt[] body, Scope scope)
    {
        var sb = new StringBuilder();
        ExecBody(body, scope, sb);
        return sb.ToString();
    }

    private object? ApplyFilterChain(FilterExpr filter, object? value, Scope scope)
    {
        if (filter.Target is FilterExpr inner)
        {
            value = ApplyFilterChain(inner, value, scope);
        }

        return filter.Filter.Apply(this, value, EvalArgs(filter.Args, scope));
    }

    private void ExecFor(ForStmt f, Scope scope, StringBuilder output)
    {
        List<object?> items;
        try
        {
            items = PyAccess.ToList(Eval(f.Iterable, scope));
        }
        catch (JinjaException ex)
        {
            throw Locate(ex, f.Iterable.Start, f.Iterable.End);
        }

        if (f.Filter is not null)
        {
            var kept = new List<object?>(items.Count);
            foreach (var item in items)
            {
                var filterScope = new Scope(scope);
                Assign(f.Target, item, filterScope);
                if (PyOps.Truthy(Eval(f.Filter, filterScope)))
                {
                    kept.Add(item);
                }
            }

            items = kept;
        }

        if (items.Count == 0)
        {
            if (f.Otherwise is not null)
            {
                ExecBody(f.Otherwise, new Scope(scope), output);
            }

            return;
        }

        var loop = new LoopContext(items, 0);
        for (var i = 0; i < items.Count; i++)
        {
            loop.Index0 = i;
            var iteration = new Scope(scope);
            iteration.Set("loop", loop);
            Assign(f.Target, items[i], iteration);
            if (ExecBody(f.Body, iteration, output) == Flow.Break)
            {
                break;
            }
        }
    }

    private void Assign(Target target, object? value, Scope scope)
    {
        switch (target)
        {
            case NameTarget name:
                scope.Set(name.Name, value);
                break;
            case TupleTarget tuple:
                List<object?> values;
                try
                {
                    values = PyAccess.ToList(value);
                }
                catch (JinjaException)
                {
                    throw Locate(JinjaException.Type($"cannot unpack non-iterable {PyOps.TypeName(value)} object"), target.Start, target.End);
                }

                if (values.Count != tuple.Items.Length)
                {
                    var problem = values.Count > tuple.Items.Length
                        ? $"too many values to unpack (expected {tuple.Items.Length})"
                        : $"not enough values to unpack (expected {tuple.Items.Length}, got {values.Count})";
                    throw Locate(JinjaException.Value(problem), target.Start, target.End);
                }

                for (var i = 0; i < values.Count; i++)
                {
                    Assign(tuple.Items[i], values[i], scope);
                }

                break;
            case NamespaceTarget ns:
                if (!scope.TryLookup(ns.Namespace, out var holder) || holder is not PyNamespace space)
                {
                    throw Locate(new JinjaException(JinjaException.RuntimeError, "cannot assign attribute on non-namespace object"), target.Start, target.End);
                }

                space.Attributes[ns.Attribute] = value;
                break;
        }
    }

    public object? CallMacro(MacroValue macro, Arguments args)
    {
        var signature = macro.Signature;
        var scope = new Scope(macro.Closure);
        var parameters = signature.Parameters;
        if (args.Positional.Length > parameters.Length && !signature.CatchVarargs)
        {
            throw JinjaException.Type($"macro {PyRepr.Repr(macro.Name)} takes not more than {parameters.Length} argument(s)");
        }

        var keywords = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in args.Keywords)
        {
            keywords[key] = value;
        }

        object? caller = Undefined.WithHint("No caller defined");
        if (signature.UsesCaller && keywords.Remove("caller", out var passedCaller))
        {
            caller = passedCaller;
        }

        for (var i = 0; i < parameters.Length; i++)
        {
            var name = parameters[i];
            if (i < args.Positional.Length)
            {
                if (keywords.ContainsKey(name))
                {
                    throw JinjaException.Type($"macro {PyRepr.Repr(macro.Name)} got multiple values for argument {PyRepr.Repr(name)}");
                }

                scope.Set(name, args.Positional[i]);
            }
            else if (keywords.Remove(name, out var value))
            {
                scope.Set(name, value);
            }
            else if (signature.Defaults[i] is { } defaultValue)
            {
                scope.Set(name, Eval(defaultValue, scope));
            }
            else
            {
                scope.Set(name, Undefined.WithHint($"parameter {PyRepr.Repr(name)} was not provided"));
            }
        }

        if (signature.CatchVarargs)
        {
            scope.Set("varargs", new PyList(args.Positional.Skip(parameters.Length).ToList(), SeqKind.Tuple));
        }

        if (signature.CatchKwargs)
        {
            var dict = new PyDict(keywords.Count);
            foreach (var (k, v) in keywords)
            {
                dict.Set(k, v);
            }

            scope.Set("kwargs", dict);
        }
        else if (keywords.Count > 0)
        {
            throw JinjaException.Type($"macro {PyRepr.Repr(macro.Name)} takes no keyword argument {PyRepr.Repr(keywords.Keys.First())}");
        }

        if (signature.UsesCaller)
        {
            scope.Set("caller", caller);
        }

        if (++_callDepth > MaxCallDepth)
        {
            _callDepth = 0;
            throw new JinjaException("RecursionError", $"maximum recursion depth exceeded while calling macro {PyRepr.Repr(macro.Name)}");
        }

        try
        {
            return RenderToString(macro.Body, scope);
        }
        finally
        {
            _callDepth = Math.Max(0, _callDepth - 1);
        }
    }

    private object? EvalCallBlock(CallBlockStmt block, Scope scope)
    {
        var caller = new MacroValue("caller", block.Signature, block.Body, scope);
        var callee = Eval(block.Call.Callee, scope);
        var args = EvalArgs(block.Call.Args, scope);
        var keywords = args.Keywords.Append(new KeyValuePair<string, object?>("caller", caller)).ToArray();
        return Call(callee, new Arguments(args.Positional, keywords));
    }

    private ChatTemplateException Locate(Exception ex, int start, int end)
    {
        var (line, column) = source.Locate(start);
        if (ex is TemplateRaisedException raised)
        {
            return new ChatTemplateRaisedException(raised.Message, source.Name, line, column);
        }

        var error = (JinjaException)ex;
        var snippet = source.Snippet(start, Math.Max(end, start + 1));
        var where = source.Name is null ? $"line {line}, column {column}" : $"template '{source.Name}', line {line}, column {column}";
        return new ChatTemplateException($"{error.PythonType}: {error.Message} ({where}: `{snippet}`)", error.PythonType, source.Name, line, column, snippet, ex);
    }

    private static void AppendStr(StringBuilder output, object? value)
    {
        switch (value)
        {
            case string s:
                output.Append(s);
                break;
            case Undefined:
                break;
            default:
                output.Append(PyRepr.Str(value));
                break;
        }
    }
}
