using System.Buffers.Binary;
using System.Text;

namespace Peft.Runtime;

/// <summary>
/// Reads and edits the symbol-version requirements (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF shared
/// library. Used to make TorchSharp's native library load on systems whose C++ runtime is older than the one it
/// was linked against (see docs/troubleshooting.md).
/// </summary>
/// <remarks>
/// Layout (System V gABI, GNU extensions): section headers at <c>e_shoff</c>; the section of type
/// <c>SHT_GNU_verneed</c> (0x6ffffffe) holds a chain of <c>Elf64_Verneed</c> records (16 bytes: version, count,
/// file, aux, next), each followed by <c>Elf64_Vernaux</c> records (16 bytes: hash, flags, other, name, next).
/// Setting <c>VER_FLG_WEAK</c> (0x2) in a Vernaux entry's flags tells the dynamic loader that a missing version
/// is not fatal. <c>SHT_GNU_versym</c> (0x6fffffff) maps each dynamic symbol to a version index (the
/// Vernaux's <c>other</c> field), which tells which symbols depend on a given version.
/// </remarks>
internal sealed class ElfVersionNeeds
{
    private const uint ShtDynsym = 11;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const ushort VerFlagWeak = 0x2;

    private readonly byte[] _image;
    private readonly List<Requirement> _requirements = new();
    private readonly Dictionary<ushort, List<string>> _undefinedSymbolsByVersion = new();

    /// <summary>One version a library requires from one of its dependencies.</summary>
    /// <param name="File">The dependency, e.g. <c>libstdc++.so.6</c>.</param>
    /// <param name="Version">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
    /// <param name="Index">The version index that <c>.gnu.version</c> uses for it.</param>
    /// <param name="IsWeak">Whether the entry already carries <c>VER_FLG_WEAK</c>.</param>
    /// <param name="FlagsOffset">File offset of the entry's 16-bit flags field.</param>
    internal readonly record struct Requirement(string File, string Version, ushort Index, bool IsWeak, int FlagsOffset);

    private ElfVersionNeeds(byte[] image)
    {
        _image = image;
    }

    /// <summary>The version requirements in file order.</summary>
    public IReadOnlyList<Requirement> Requirements => _requirements;

    /// <summary>Parses an ELF image.</summary>
    /// <param name="image">The whole file's bytes; edits are made in place.</param>
    /// <param name="origin">The file name, for error messages.</param>
    /// <exception cref="InvalidDataException">The bytes are not a 64-bit little-endian ELF file with version requirements.</exception>
    public static ElfVersionNeeds Parse(byte[] image, string origin)
    {
        var elf = new ElfVersionNeeds(image);
        elf.ParseCore(origin);
        return elf;
    }

    /// <summary>Undefined dynamic symbols that are bound to the given version index.</summary>
    public IReadOnlyList<string> UndefinedSymbolsOf(ushort versionIndex) =>
        _undefinedSymbolsByVersion.TryGetValue(versionIndex, out var list) ? list : Array.Empty<string>();

    /// <summary>Marks the requirement weak, so that the loader tolerates its absence.</summary>
    public void MarkWeak(Requirement requirement)
    {
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(_image.AsSpan(requirement.FlagsOffset));
        BinaryPrimitives.WriteUInt16LittleEndian(_image.AsSpan(requirement.FlagsOffset), (ushort)(flags | VerFlagWeak));
        var i = _requirements.IndexOf(requirement);
        _requirements[i] = requirement with { IsWeak = true };
    }

    /// <summary>The machine the file was built for, from <c>e_machine</c> (e.g. "x86-64", "AArch64").</summary>
    public static string DescribeMachine(ReadOnlySpan<byte> header)
    {
        if (header.Length < 20 || header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
        {
            return "not an ELF file";
        }

        var machine = BinaryPrimitives.ReadUInt16LittleEndian(header[18..]);
        var bits = header[4] == 2 ? "64-bit" : "32-bit";
        var name = machine switch
        {
            0x3E => "x86-64",
            0xB7 => "AArch64",
            0x03 => "x86",
            0x28 => "ARM",
            0xF3 => "RISC-V",
            _ => $"machine 0x{machine:X}",
        };
        return $"{bits} {name}";
    }

    private void ParseCore(string origin)
    {
        var img = _image.AsSpan();
        if (img.Length < 64 || img[0] != 0x7f || img[1] != (byte)'E' || img[2] != (byte)'L' || img[3] != (byte)'F')
        {
            throw new InvalidDataException($"'{origin}' is not an ELF file.");
        }

        if (img[4] != 2 || img[5] != 1)
        {
            throw new InvalidDataException($"'{origin}' is not a 64-bit little-endian ELF file.");
        }

        var shoff = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(img[0x28..]));
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(img[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(img[0x3C..]);
        if (shentsize < 64 || shoff <= 0 || (long)shoff + (long)shnum * shentsize > img.Length)
        {
            throw new InvalidDataException($"'{origin}' has a section header table outside the file.");
        }

        var sections = new Section[shnum];
        for (var i = 0; i < shnum; i++)
        {
            var s = img.Slice(shoff + i * shentsize, 64);
            sections[i] = new Section(
                BinaryPrimitives.ReadUInt32LittleEndian(s[4..]),
                checked((int)BinaryPrimitives.ReadUInt64LittleEndian(s[24..])),
                checked((int)BinaryPrimitives.ReadUInt64LittleEndian(s[32..])),
                (int)BinaryPrimitives.ReadUInt32LittleEndian(s[40..]),
                (int)BinaryPrimitives.ReadUInt32LittleEndian(s[44..]),
                checked((int)BinaryPrimitives.ReadUInt64LittleEndian(s[56..])));
            if ((long)sections[i].Offset + sections[i].Size > img.Length && sections[i].Type != 8 /* NOBITS */)
            {
                throw new InvalidDataException($"'{origin}': section {i} lies outside the file.");
            }
        }

        var verneed = Array.FindIndex(sections, s => s.Type == ShtGnuVerneed);
        if (verneed < 0)
        {
            throw new InvalidDataException($"'{origin}' has no .gnu.version_r section.");
        }

        ReadRequirements(sections, sections[verneed], origin);
        var dynsym = Array.FindIndex(sections, s => s.Type == ShtDynsym);
        var versym = Array.FindIndex(sections, s => s.Type == ShtGnuVersym);
        if (dynsym >= 0 && versym >= 0)
        {
            ReadSymbolVersions(sections, sections[dynsym], sections[versym]);
        }
    }

    private void ReadRequirements(Section[] sections, Section verneed, string origin)
    {
        var img = _image.AsSpan();
        var strings = sections[verneed.Link];
        var offset = verneed.Offset;
        for (var n = 0; n < verneed.Info; n++)
        {
            if (offset + 16 > img.Length)
            {
                throw new InvalidDataException($"'{origin}': .gnu.version_r runs past the end of the file.");
            }

            int count = BinaryPrimitives.ReadUInt16LittleEndian(img[(offset + 2)..]);
            var file = ReadString(strings, BinaryPrimitives.ReadUInt32LittleEndian(img[(offset + 4)..]));
            var aux = offset + (int)BinaryPrimitives.ReadUInt32LittleEndian(img[(offset + 8)..]);
            var next = (int)BinaryPrimitives.ReadUInt32LittleEndian(img[(offset + 12)..]);
            for (var k = 0; k < count; k++)
            {
                if (aux + 16 > img.Length)
                {
                    throw new InvalidDataException($"'{origin}': a version entry runs past the end of the file.");
                }

                var flags = BinaryPrimitives.ReadUInt16LittleEndian(img[(aux + 4)..]);
                var index = BinaryPrimitives.ReadUInt16LittleEndian(img[(aux + 6)..]);
                var name = ReadString(strings, BinaryPrimitives.ReadUInt32LittleEndian(img[(aux + 8)..]));
                _requirements.Add(new Requirement(file, name, index, (flags & VerFlagWeak) != 0, aux + 4));
                var auxNext = (int)BinaryPrimitives.ReadUInt32LittleEndian(img[(aux + 12)..]);
                if (auxNext == 0)
                {
                    break;
                }

                aux += auxNext;
            }

            if (next == 0)
            {
                break;
            }

            offset += next;
        }
    }

    private void ReadSymbolVersions(Section[] sections, Section dynsym, Section versym)
    {
        var img = _image.AsSpan();
        var strings = sections[dynsym.Link];
        var entrySize = dynsym.EntrySize == 0 ? 24 : dynsym.EntrySize;
        var count = dynsym.Size / entrySize;
        for (var i = 0; i < count && versym.Offset + 2 * i + 2 <= img.Length; i++)
        {
            var sym = img.Slice(dynsym.Offset + i * entrySize, entrySize);
            var sectionIndex = BinaryPrimitives.ReadUInt16LittleEndian(sym[6..]);
            if (sectionIndex != 0)
            {
                continue; // defined here, not required from a dependency
            }

            var version = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(img[(versym.Offset + 2 * i)..]) & 0x7fff);
            if (version <= 1)
            {
                continue;
            }

            if (!_undefinedSymbolsByVersion.TryGetValue(version, out var list))
            {
                _undefinedSymbolsByVersion[version] = list = new List<string>();
            }

            list.Add(ReadString(strings, BinaryPrimitives.ReadUInt32LittleEndian(sym)));
        }
    }

    private string ReadString(Section table, uint offset)
    {
        var start = table.Offset + (int)offset;
        if (offset >= table.Size || start >= _image.Length)
        {
            return string.Empty;
        }

        var end = Array.IndexOf(_image, (byte)0, start);
        return Encoding.UTF8.GetString(_image, start, (end < 0 ? _image.Length : end) - start);
    }

    private readonly record struct Section(uint Type, int Offset, int Size, int Link, int Info, int EntrySize);
}
