using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;

namespace Peft.Models;

/// <summary>
/// Replaces submodules and parameters inside TorchSharp module trees, keeping the registered name and the C#
/// field that holds the object in step (TorchSharp itself only registers; it cannot swap). Used to wrap
/// linear layers with adapters or quantized layers, and to materialise meta-device parameters.
/// </summary>
internal static class ModuleSurgery
{
    private static readonly FieldInfo SubmodulesField =
        typeof(torch.nn.Module).GetField("_internal_submodules", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new MissingFieldException("TorchSharp.nn.Module._internal_submodules");

    private static readonly FieldInfo ParametersField =
        typeof(torch.nn.Module).GetField("_internal_params", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new MissingFieldException("TorchSharp.nn.Module._internal_params");

    /// <summary>The module at a dotted path such as <c>model.layers.0.self_attn.q_proj</c>.</summary>
    /// <exception cref="KeyNotFoundException">No module at that path.</exception>
    public static torch.nn.Module Get(torch.nn.Module root, string path)
    {
        var current = root;
        if (path.Length == 0)
        {
            return current;
        }

        foreach (var part in path.Split('.'))
        {
            var next = current.named_children().FirstOrDefault(c => c.name == part).module;
            current = next ?? throw new KeyNotFoundException($"No submodule '{part}' on the way to '{path}'.");
        }

        return current;
    }

    /// <summary>Splits <c>a.b.c</c> into the parent path <c>a.b</c> and the child name <c>c</c>.</summary>
    public static (string Parent, string Name) Split(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? (string.Empty, path) : (path[..dot], path[(dot + 1)..]);
    }

    /// <summary>Replaces the child module <paramref name="name"/> of <paramref name="parent"/>.</summary>
    /// <returns>The module that was replaced.</returns>
    public static torch.nn.Module ReplaceChild(torch.nn.Module parent, string name, torch.nn.Module replacement)
    {
        var children = (OrderedDict<string, torch.nn.Module>)SubmodulesField.GetValue(parent)!;
        if (!children.TryGetValue(name, out var old))
        {
            throw new KeyNotFoundException($"{parent.GetType().Name} has no submodule '{name}'.");
        }

        children[name] = replacement;
        SwapField(parent, old, replacement, name);
        return old;
    }

    /// <summary>Replaces the module at a dotted path.</summary>
    /// <returns>The module that was replaced.</returns>
    public static torch.nn.Module Replace(torch.nn.Module root, string path, torch.nn.Module replacement)
    {
        var (parentPath, name) = Split(path);
        return ReplaceChild(Get(root, parentPath), name, replacement);
    }

    /// <summary>Replaces a parameter registered directly on <paramref name="owner"/>.</summary>
    /// <returns>The parameter that was replaced.</returns>
    public static Parameter ReplaceParameter(torch.nn.Module owner, string name, Parameter replacement)
    {
        var parameters = (OrderedDict<string, Parameter>)ParametersField.GetValue(owner)!;
        if (!parameters.TryGetValue(name, out var old))
        {
            throw new KeyNotFoundException($"{owner.GetType().Name} has no parameter '{name}'.");
        }

        parameters[name] = replacement;
        SwapField(owner, old, replacement, name);
        return old;
    }

    private static void SwapField(object owner, object old, object replacement, string name)
    {
        for (var type = owner.GetType(); type is not null && type != typeof(torch.nn.Module); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (ReferenceEquals(field.GetValue(owner), old))
                {
                    if (!field.FieldType.IsInstanceOfType(replacement))
                    {
                        throw new InvalidOperationException(
                            $"Cannot put a {replacement.GetType().Name} into {owner.GetType().Name}.{field.Name} ('{name}'), which holds {field.FieldType.Name}.");
                    }

                    field.SetValue(owner, replacement);
                }
            }
        }
    }
}
