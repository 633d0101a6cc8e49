using System.IO.MemoryMappedFiles;
using Peft.Runtime;
using TorchSharp;

namespace Peft.Checkpoints;

/// <summary>
/// A safetensors file opened for reading. The file is memory-mapped and its header validated on open; tensors
/// are materialised one at a time, their raw bytes copied (never value-converted) into TorchSharp tensors.
/// Files and tensors larger than 2 GiB are supported.
/// </summary>
/// <example>
/// <code>
/// using var file = SafetensorsFile.Open("model.safetensors");
/// foreach (var info in file.Tensors)
///     using (var t = file.ReadTensor(info.Name)) { /* ... */ }
/// </code>
/// </example>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly SafetensorsHeader _header;
    private readonly Dictionary<string, SafetensorsTensorInfo> _byName;
    private bool _disposed;

    private SafetensorsFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* basePointer, SafetensorsHeader header)
    {
        FilePath = path;
        _map = map;
        _view = view;
        _base = basePointer;
        _header = header;
        _byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The file's full path.</summary>
    public string FilePath { get; }

    /// <summary>The <c>__metadata__</c> string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _header.Metadata;

    /// <summary>Every tensor's header entry, in the order of their bytes in the file.</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors => _header.Tensors;

    /// <summary>The tensor names in file order.</summary>
    public IEnumerable<string> Names => _header.Tensors.Select(t => t.Name);

    /// <summary>Opens and validates a safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The opened file; dispose it to unmap.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafetensorsFormatException">The header is malformed; the message names the file and tensor.</exception>
    public static SafetensorsFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Safetensors file not found: '{full}'.", full);
        }

        var length = new FileInfo(full).Length;
        if (length < 8)
        {
            SafetensorsHeader.ReadHeaderLength(stackalloc byte[8], length, full); // throws the specific message
        }

        var map = MemoryMappedFile.CreateFromFile(full, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            pointer += view.PointerOffset;
            var headerLength = SafetensorsHeader.ReadHeaderLength(new ReadOnlySpan<byte>(pointer, 8), length, full);
            var header = SafetensorsHeader.Parse(new ReadOnlySpan<byte>(pointer + 8, checked((int)headerLength)), length, full);
            return new SafetensorsFile(full, map, view, pointer, header);
        }
        catch
        {
            if (view is not null)
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
                view.Dispose();
            }

            map.Dispose();
            throw;
        }
    }

    /// <summary>True when the file holds a tensor of that name.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The header entry of a tensor.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name; the message names the file.</exception>
    public SafetensorsTensorInfo GetInfo(string name)
    {
        ThrowIfDisposed();
        return _byName.TryGetValue(name, out var info)
            ? info
            : throw new KeyNotFoundException($"Tensor '{name}' is not in '{FilePath}'.");
    }

    /// <summary>Reads a tensor into a new CPU tensor of its stored dtype and shape.</summary>
    /// <param name="name">The tensor's name.</param>
    /// <returns>A new tensor the caller owns.</returns>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public torch.Tensor ReadTensor(string name)
    {
        var info = GetInfo(name);
        var tensor = torch.empty(info.Shape, info.ScalarType);
        try
        {
            CopyInto(info, tensor);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies a tensor's bytes into an existing contiguous CPU tensor of the same dtype and element count,
    /// without allocating (used to stream checkpoints straight into module parameters).
    /// </summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="destination">A contiguous CPU tensor with the stored dtype and element count.</param>
    /// <exception cref="ArgumentException">The destination's dtype, size or placement does not fit.</exception>
    public void ReadInto(string name, torch.Tensor destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var info = GetInfo(name);
        if (destination.dtype != info.ScalarType || destination.numel() != info.ElementCount)
        {
            throw new ArgumentException(
                $"Tensor '{name}' in '{FilePath}' is {info.DType} {info.ShapeText}; the destination is {destination.dtype} [{string.Join(", ", destination.shape)}].",
                nameof(destination));
        }

        CopyInto(info, destination);
    }

    /// <summary>Copies a tensor's raw bytes into a span (for small tensors and tests).</summary>
    /// <exception cref="ArgumentException">The span's length differs from the tensor's byte count.</exception>
    public void ReadBytes(string name, Span<byte> destination)
    {
        var info = GetInfo(name);
        if (destination.Length != info.ByteCount)
        {
            throw new ArgumentException($"Tensor '{name}' has {info.ByteCount} bytes; the span has {destination.Length}.", nameof(destination));
        }

        new ReadOnlySpan<byte>(_base + _header.DataStart + info.Begin, destination.Length).CopyTo(destination);
    }

    private void CopyInto(SafetensorsTensorInfo info, torch.Tensor destination)
    {
        ThrowIfDisposed();
        if (info.ByteCount == 0)
        {
            return;
        }

        var target = (byte*)TensorMemory.DataPointer(destination);
        TensorMemory.Copy(_base + _header.DataStart + info.Begin, target, info.ByteCount);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Unmaps the file. Tensors already read stay valid.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
