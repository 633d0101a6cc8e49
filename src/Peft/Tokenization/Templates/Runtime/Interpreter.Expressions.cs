using System.Text;
using Peft.Tokenization.Templates.Syntax;

namespace Peft.Tokenization.Templates.Runtime;

internal sealed partial class Interpreter
{
    /// <summary>Evaluates an expression; a runtime error is tagged with the innermost failing node's position.</summary>
    public object? Eval(Expr expr, Scope scope)
    {
        try
        {
            return EvalCore(expr, scope);
        }
        catch (Exception ex) when (ex is JinjaException or TemplateRaisedException)
        {
            throw Locate(ex, expr.Start, expr.End);
        }
        catch (Exception ex) when (IsUnexpected(ex))
        {
            throw Locate(new JinjaException("InternalError", $"{ex.GetType().Name}: {ex.Message}"), expr.Start, expr.End);
        }
    }

    private object? EvalCore(Expr expr, Scope scope)
    {
        switch (expr)
        {
            case ConstExpr c:
                return c.Value;
            case NameExpr n:
                return Lookup(n.Name, scope);
            case GetAttrExpr g:
                return PyAccess.GetAttr(Eval(g.Target, scope), g.Name);
            case GetItemExpr g:
                var target = Eval(g.Target, scope);
                if (g.Index is SliceExpr slice)
                {
                    // Jinja2 compiles slices to a plain Python subscript, bypassing the sandbox's getitem.
                    return PyAccess.Slice(target, new PySlice(EvalOptional(slice.StartIndex, scope), EvalOptional(slice.Stop, scope), EvalOptional(slice.Step, scope)));
                }

                return PyAccess.GetItem(target, Eval(g.Index, scope));
            case CallExpr call:
                return Call(Eval(call.Callee, scope), EvalArgs(call.Args, scope));
            case FilterExpr f:
                return f.Filter.Apply(this, f.Target is null ? null : Eval(f.Target, scope), EvalArgs(f.Args, scope));
            case TestExpr t:
                return t.Test.Apply(this, Eval(t.Target, scope), EvalArgs(t.Args, scope));
            case CompareExpr cmp:
                var left = Eval(cmp.First, scope);
                for (var i = 0; i < cmp.Ops.Length; i++)
                {
                    var right = Eval(cmp.Operands[i], scope);
                    if (!PyOps.Compare(cmp.Ops[i], left, right))
                    {
                        return false;
                    }

                    left = right;
                }

                return true;
            case AndExpr and:
                var a = Eval(and.Left, scope);
                return PyOps.Truthy(a) ? Eval(and.Right, scope) : a;
            case OrExpr or:
                var o = Eval(or.Left, scope);
                return PyOps.Truthy(o) ? o : Eval(or.Right, scope);
            case NotExpr not:
                return !PyOps.Truthy(Eval(not.Operand, scope));
            case BinaryExpr bin:
                return PyArith.Binary(bin.Op, Eval(bin.Left, scope), Eval(bin.Right, scope));
            case UnaryExpr unary:
                return PyArith.Unary(unary.Op, Eval(unary.Operand, scope));
            case ConcatExpr concat:
                var sb = new StringBuilder();
                foreach (var part in concat.Parts)
                {
                    sb.Append(PyRepr.Str(Eval(part, scope)));
                }

                return sb.ToString();
            case CondExpr cond:
                if (PyOps.Truthy(Eval(cond.Test, scope)))
                {
                    return Eval(cond.Then, scope);
                }

                return cond.Otherwise is null
                    ? Undefined.WithHint($"the inline if-expression on line {source.Locate(cond.Start).Line} evaluated to false and no else section was defined.")
                    : Eval(cond.Otherwise, scope);
            case ListExpr list:
                var items = new List<object?>(list.Items.Length);
                foreach (var item in list.Items)
                {
                    items.Add(Eval(item, scope));
                }

                return new PyList(items, list.IsTuple ? SeqKind.Tuple : SeqKind.List);
            case DictExpr dict:
                var result = new PyDict(dict.Keys.Length);
                for (var i = 0; i < dict.Keys.Length; i++)
                {
                    var k = Eval(dict.Keys[i], scope);
                    PyOps.Hash(k);
                    result.Set(k, Eval(dict.Values[i], scope));
                }

                return result;
            case SliceExpr:
                throw new JinjaException(SyntaxErrors.NotSupported, "a slice is only valid inside [ ]");
            default:
                throw new InvalidOperationException($"Unknown expression {expr.GetType().Name}");
        }
    }

    /// <summary>A .NET exception the runtime did not anticipate; it is still reported with the template position.</summary>
    private static bool IsUnexpected(Exception ex) =>
        ex is not (ChatTemplateException or OutOfMemoryException or InsufficientExecutionStackException or OperationCanceledException);

    private object? EvalOptional(Expr? expr, Scope scope) => expr is null ? null : Eval(expr, scope);

    public Arguments EvalArgs(CallArgs args, Scope scope)
    {
        if (ReferenceEquals(args, CallArgs.Empty))
        {
            return Arguments.None;
        }

        var positional = new List<object?>(args.Positional.Length);
        foreach (var p in args.Positional)
        {
            positional.Add(Eval(p, scope));
        }

        var keywords = new List<KeyValuePair<string, object?>>(args.Keywords.Length);
        foreach (var (name, value) in args.Keywords)
        {
            keywords.Add(new(name, Eval(value, scope)));
        }

        if (args.DynArgs is not null)
        {
            positional.AddRange(PyAccess.Iterate(Eval(args.DynArgs, scope)));
        }

        if (args.DynKwargs is not null)
        {
            if (Eval(args.DynKwargs, scope) is not PyDict extra)
            {
                throw JinjaException.Type("argument after ** must be a mapping");
            }

            foreach (var (k, v) in extra.Map)
            {
                keywords.Add(new(PyDict.FromKey(k) as string ?? throw JinjaException.Type("keywords must be strings"), v));
            }
        }

        return new Arguments([.. positional], [.. keywords]);
    }

    public object? Call(object? callee, Arguments args) => callee switch
    {
        PyCallable callable => callable.Invoke(this, args),
        Undefined u => throw u.Fail(),
        _ => throw JinjaException.Type($"'{PyOps.TypeName(callee)}' object is not callable"),
    };

    private static object? Lookup(string name, Scope scope)
    {
        if (scope.TryLookup(name, out var value))
        {
            return value;
        }

        return Globals.TryGet(name, out var global) ? global : Undefined.ForName(name);
    }
}
