using System.Text;

namespace Peft.IO;

/// <summary>
/// Writes files so that readers never see a partial file and a failed write never destroys the previous
/// version: the content goes to a temporary file in the same folder, is flushed to disk, and is then renamed
/// over the target.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes a file through <paramref name="write"/> and renames it into place.</summary>
    /// <param name="path">The target file; its folder is created if needed.</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <param name="unixMode">File mode to set before the rename (Unix only), or null for the default.</param>
    public static void Write(string path, Action<FileStream> write, UnixFileMode? unixMode = null)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            if (unixMode is { } mode && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, mode);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Atomically writes bytes.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, UnixFileMode? unixMode = null)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy), unixMode);
    }

    /// <summary>Atomically writes UTF-8 text without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));
}
