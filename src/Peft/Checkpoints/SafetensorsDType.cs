using TorchSharp;

namespace Peft.Checkpoints;

/// <summary>The element types of the safetensors format that Peft reads and writes, and their TorchSharp equivalents.</summary>
public static class SafetensorsDType
{
    private static readonly (string Name, torch.ScalarType Type, int Size)[] Table =
    {
        ("F64", torch.ScalarType.Float64, 8),
        ("F32", torch.ScalarType.Float32, 4),
        ("F16", torch.ScalarType.Float16, 2),
        ("BF16", torch.ScalarType.BFloat16, 2),
        ("I64", torch.ScalarType.Int64, 8),
        ("I32", torch.ScalarType.Int32, 4),
        ("I16", torch.ScalarType.Int16, 2),
        ("I8", torch.ScalarType.Int8, 1),
        ("U8", torch.ScalarType.Byte, 1),
        ("BOOL", torch.ScalarType.Bool, 1),
    };

    /// <summary>The dtype names Peft supports, in the format's spelling.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Select(t => t.Name).ToArray();

    /// <summary>True when <paramref name="name"/> is a supported dtype name (case-sensitive, as in the format).</summary>
    public static bool IsKnown(string name) => Array.Exists(Table, t => t.Name == name);

    /// <summary>Bytes per element of a supported dtype name.</summary>
    /// <exception cref="ArgumentException">The name is not supported.</exception>
    public static int SizeOf(string name) => Find(name).Size;

    /// <summary>The TorchSharp type for a dtype name.</summary>
    /// <exception cref="ArgumentException">The name is not supported.</exception>
    public static torch.ScalarType ToScalarType(string name) => Find(name).Type;

    /// <summary>The dtype name for a TorchSharp type.</summary>
    /// <exception cref="ArgumentException">The type has no safetensors equivalent that Peft supports.</exception>
    public static string FromScalarType(torch.ScalarType type)
    {
        foreach (var t in Table)
        {
            if (t.Type == type)
            {
                return t.Name;
            }
        }

        throw new ArgumentException($"Tensors of type {type} cannot be stored; supported: {string.Join(", ", Names)}.", nameof(type));
    }

    private static (string Name, torch.ScalarType Type, int Size) Find(string name)
    {
        foreach (var t in Table)
        {
            if (t.Name == name)
            {
                return t;
            }
        }

        throw new ArgumentException($"Unknown safetensors dtype '{name}'; supported: {string.Join(", ", Names)}.", nameof(name));
    }
}
