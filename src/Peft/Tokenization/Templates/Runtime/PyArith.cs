namespace Peft.Tokenization.Templates.Runtime;

/// <summary>Python arithmetic on template values, with Python's results (<c>/</c> gives a float, <c>//</c> and
/// <c>%</c> floor toward negative infinity) and Python's error messages.</summary>
internal static class PyArith
{
    public static object? Binary(string op, object? a, object? b)
    {
        if (op == "%" && a is string format)
        {
            return PercentFormat.Format(format, b);
        }

        if (a is Undefined ua)
        {
            throw ua.Fail();
        }

        if (b is Undefined ub)
        {
            throw ub.Fail();
        }

        return op switch
        {
            "+" => Add(a, b),
            "-" => Numeric(op, a, b),
            "*" => Multiply(a, b),
            "/" => Divide(a, b),
            "//" => FloorDivide(a, b),
            "%" => Modulo(a, b),
            "**" => Power(a, b),
            _ => throw new InvalidOperationException(op),
        };
    }

    public static object? Unary(char op, object? value)
    {
        if (value is Undefined u)
        {
            throw u.Fail();
        }

        return value switch
        {
            long l when op == '-' => checked(-l),
            double d when op == '-' => -d,
            bool b when op == '-' => b ? -1L : 0L,
            long or double => value,
            bool b => b ? 1L : 0L,
            _ => throw JinjaException.Type($"bad operand type for unary {op}: '{PyOps.TypeName(value)}'"),
        };
    }

    private static object? Add(object? a, object? b)
    {
        if (a is string sa)
        {
            return b is string sb ? string.Concat(sa, sb) : throw JinjaException.Type($"can only concatenate str (not \"{PyOps.TypeName(b)}\") to str");
        }

        if (a is PyList la && la.IsSequence)
        {
            if (b is PyList lb && lb.Kind == la.Kind)
            {
                var items = new List<object?>(la.Count + lb.Count);
                items.AddRange(la.Items);
                items.AddRange(lb.Items);
                return new PyList(items, la.Kind);
            }

            var kind = PyOps.TypeName(la);
            throw JinjaException.Type($"can only concatenate {kind} (not \"{PyOps.TypeName(b)}\") to {kind}");
        }

        return Numeric("+", a, b);
    }

    private static object? Numeric(string op, object? a, object? b)
    {
        if (!PyOps.IsNumber(a) || !PyOps.IsNumber(b))
        {
            throw Unsupported(op, a, b);
        }

        if (PyOps.IsInteger(a) && PyOps.IsInteger(b))
        {
            var x = PyOps.AsLong(a);
            var y = PyOps.AsLong(b);
            return Checked(() => op == "+" ? checked(x + y) : op == "-" ? checked(x - y) : checked(x * y));
        }

        var p = PyOps.AsDouble(a);
        var q = PyOps.AsDouble(b);
        return op == "+" ? p + q : op == "-" ? p - q : p * q;
    }

    private static object? Multiply(object? a, object? b)
    {
        if (a is string s)
        {
            return PyOps.IsInteger(b) ? PyString.Repeat(s, PyOps.AsLong(b)) : throw JinjaException.Type($"can't multiply sequence by non-int of type '{PyOps.TypeName(b)}'");
        }

        if (b is string t)
        {
            return PyOps.IsInteger(a) ? PyString.Repeat(t, PyOps.AsLong(a)) : throw JinjaException.Type($"can't multiply sequence by non-int of type '{PyOps.TypeName(a)}'");
        }

        if (a is PyList l && l.IsSequence || b is PyList { IsSequence: true })
        {
            var (list, times) = a is PyList la && la.IsSequence ? (la, b) : ((PyList)b!, a);
            if (!PyOps.IsInteger(times))
            {
                throw JinjaException.Type($"can't multiply sequence by non-int of type '{PyOps.TypeName(times)}'");
            }

            var items = new List<object?>();
            for (var i = 0L; i < PyOps.AsLong(times); i++)
            {
                items.AddRange(list.Items);
            }

            return new PyList(items, list.Kind);
        }

        return Numeric("*", a, b);
    }

    private static object Divide(object? a, object? b)
    {
        if (!PyOps.IsNumber(a) || !PyOps.IsNumber(b))
        {
            throw Unsupported("/", a, b);
        }

        var q = PyOps.AsDouble(b);
        if (q == 0)
        {
            throw new JinjaException("ZeroDivisionError", PyOps.IsInteger(a) && PyOps.IsInteger(b) ? "division by zero" : "float division by zero");
        }

        return PyOps.AsDouble(a) / q;
    }

    private static object FloorDivide(object? a, object? b)
    {
        if (!PyOps.IsNumber(a) || !PyOps.IsNumber(b))
        {
            throw Unsupported("//", a, b);
        }

        if (PyOps.IsInteger(a) && PyOps.IsInteger(b))
        {
            var x = PyOps.AsLong(a);
            var y = PyOps.AsLong(b);
            if (y == 0)
            {
                throw new JinjaException("ZeroDivisionError", "integer division or modulo by zero");
            }

            var quotient = x / y;
            return (x % y != 0) && ((x < 0) != (y < 0)) ? quotient - 1 : quotient;
        }

        var p = PyOps.AsDouble(a);
        var q = PyOps.AsDouble(b);
        if (q == 0)
        {
            throw new JinjaException("ZeroDivisionError", "float floor division by zero");
        }

        return Math.Floor(p / q);
    }

    private static object Modulo(object? a, object? b)
    {
        if (!PyOps.IsNumber(a) || !PyOps.IsNumber(b))
        {
            throw Unsupported("%", a, b);
        }

        if (PyOps.IsInteger(a) && PyOps.IsInteger(b))
        {
            var x = PyOps.AsLong(a);
            var y = PyOps.AsLong(b);
            if (y == 0)
            {
                throw new JinjaException("ZeroDivisionError", "integer modulo by zero");
            }

            var r = x % y;
            return r != 0 && ((r < 0) != (y < 0)) ? r + y : r;
        }

        var p = PyOps.AsDouble(a);
        var q = PyOps.AsDouble(b);
        if (q == 0)
        {
            throw new JinjaException("ZeroDivisionError", "float modulo");
        }

        var m = p % q;
        if (m == 0)
        {
            return Math.CopySign(0.0, q);
        }

        return (m < 0) != (q < 0) ? m + q : m;
    }

    private static object Power(object? a, object? b)
    {
        if (!PyOps.IsNumber(a) || !PyOps.IsNumber(b))
        {
            throw Unsupported("** or pow()", a, b);
        }

        if (PyOps.IsInteger(a) && PyOps.IsInteger(b) && PyOps.AsLong(b) >= 0)
        {
            var x = PyOps.AsLong(a);
            var n = PyOps.AsLong(b);
            if (x is 0 or 1 or -1)
            {
                return n == 0 ? 1L : x == -1 && n % 2 == 1 ? -1L : x;
            }

            return Checked(() =>
            {
                long result = 1;
                for (var i = 0L; i < n; i++)
                {
                    result = checked(result * x);
                }

                return result;
            });
        }

        var p = PyOps.AsDouble(a);
        var q = PyOps.AsDouble(b);
        if (p == 0 && q < 0)
        {
            throw new JinjaException("ZeroDivisionError", "0.0 cannot be raised to a negative power");
        }

        var power = Math.Pow(p, q);
        if (double.IsInfinity(power) && double.IsFinite(p) && double.IsFinite(q))
        {
            throw new JinjaException("OverflowError", "(34, 'Numerical result out of range')");
        }

        if (double.IsNaN(power) && p < 0 && double.IsFinite(q))
        {
            throw JinjaException.Value("math domain error: a negative number raised to a fractional power (Python would give a complex number)");
        }

        return power;
    }

    private static long Checked(Func<long> compute)
    {
        try
        {
            return compute();
        }
        catch (OverflowException)
        {
            throw new JinjaException("OverflowError", "integer result does not fit in 64 bits (Python would use a big integer; this renderer does not)");
        }
    }

    private static JinjaException Unsupported(string op, object? a, object? b) =>
        JinjaException.Type($"unsupported operand type(s) for {op}: '{PyOps.TypeName(a)}' and '{PyOps.TypeName(b)}'");
}
