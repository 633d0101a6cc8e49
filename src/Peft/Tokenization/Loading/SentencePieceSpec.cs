using System.Text;

namespace Peft.Tokenization.Loading;

/// <summary>
/// The parts of a SentencePiece <c>ModelProto</c> (<c>tokenizer.model</c>) that decide how text is normalized and
/// which pieces are special, read directly from the protobuf wire format so that malformed files get a precise error
/// (Microsoft.ML.Tokenizers does the encoding itself).
/// </summary>
internal sealed record SentencePieceSpec
{
    /// <summary>SentencePiece piece types.</summary>
    public const int Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6;

    public required IReadOnlyList<(string Piece, float Score, int Type)> Pieces { get; init; }

    /// <summary>1 = Unigram, 2 = BPE, 3 = Word, 4 = Char.</summary>
    public int ModelType { get; init; } = 1;
    public bool ByteFallback { get; init; }
    public bool TreatWhitespaceAsSuffix { get; init; }
    public int UnkId { get; init; }
    public int BosId { get; init; } = 1;
    public int EosId { get; init; } = 2;
    public int PadId { get; init; } = -1;
    public string NormalizerName { get; init; } = "nmt_nfkc";
    public int PrecompiledCharsmapLength { get; init; }
    public bool AddDummyPrefix { get; init; } = true;
    public bool RemoveExtraWhitespaces { get; init; } = true;
    public bool EscapeWhitespaces { get; init; } = true;

    /// <summary>The piece at <paramref name="id"/>, or null when the id is disabled (negative) or out of range.</summary>
    public string? PieceAt(int id) => id >= 0 && id < Pieces.Count ? Pieces[id].Piece : null;

    /// <exception cref="TokenizerFormatException">The bytes are not a valid ModelProto (the message gives the byte offset and field).</exception>
    public static SentencePieceSpec Read(string file, byte[] data)
    {
        var pieces = new List<(string, float, int)>();
        var spec = new SentencePieceSpec { Pieces = pieces };
        var reader = new Reader(file, data, 0, data.Length, "ModelProto");
        while (reader.Next(out var field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == 2:
                    pieces.Add(ReadPiece(reader.Message("pieces")));
                    break;
                case 2 when wire == 2:
                    spec = ReadTrainer(reader.Message("trainer_spec"), spec);
                    break;
                case 3 when wire == 2:
                    spec = ReadNormalizer(reader.Message("normalizer_spec"), spec);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (pieces.Count == 0)
        {
            throw new TokenizerFormatException(file, null, "the SentencePiece model has no pieces (is this really a tokenizer.model?)");
        }

        return spec;
    }

    private static (string, float, int) ReadPiece(Reader r)
    {
        string piece = string.Empty;
        float score = 0;
        var type = Normal;
        while (r.Next(out var field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == 2: piece = r.String(); break;
                case 2 when wire == 5: score = r.Float(); break;
                case 3 when wire == 0: type = (int)r.Varint(); break;
                default: r.Skip(wire); break;
            }
        }

        return (piece, score, type);
    }

    private static SentencePieceSpec ReadTrainer(Reader r, SentencePieceSpec spec)
    {
        while (r.Next(out var field, out var wire))
        {
            spec = (field, wire) switch
            {
                (3, 0) => spec with { ModelType = (int)r.Varint() },
                (24, 0) => spec with { TreatWhitespaceAsSuffix = r.Varint() != 0 },
                (35, 0) => spec with { ByteFallback = r.Varint() != 0 },
                (40, 0) => spec with { UnkId = (int)r.Varint() },
                (41, 0) => spec with { BosId = (int)r.Varint() },
                (42, 0) => spec with { EosId = (int)r.Varint() },
                (43, 0) => spec with { PadId = (int)r.Varint() },
                _ => Skip(r, wire, spec),
            };
        }

        return spec;
    }

    private static SentencePieceSpec ReadNormalizer(Reader r, SentencePieceSpec spec)
    {
        while (r.Next(out var field, out var wire))
        {
            spec = (field, wire) switch
            {
                (1, 2) => spec with { NormalizerName = r.String() },
                (2, 2) => spec with { PrecompiledCharsmapLength = r.Bytes().Length },
                (3, 0) => spec with { AddDummyPrefix = r.Varint() != 0 },
                (4, 0) => spec with { RemoveExtraWhitespaces = r.Varint() != 0 },
                (5, 0) => spec with { EscapeWhitespaces = r.Varint() != 0 },
                _ => Skip(r, wire, spec),
            };
        }

        return spec;
    }

    private static SentencePieceSpec Skip(Reader r, int wire, SentencePieceSpec spec)
    {
        r.Skip(wire);
        return spec;
    }

    /// <summary>A bounds-checked protobuf reader over one message.</summary>
    private sealed class Reader(string file, byte[] data, int start, int end, string message)
    {
        private int _position = start;

        public bool Next(out int field, out int wire)
        {
            if (_position >= end)
            {
                field = wire = 0;
                return false;
            }

            var at = _position;
            var tag = Varint();
            field = (int)(tag >> 3);
            wire = (int)(tag & 7);
            if (field == 0 || wire is 3 or 4 or 6 or 7)
            {
                throw Error(at, $"invalid field tag {tag} (field {field}, wire type {wire})");
            }

            return true;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 70; shift += 7)
            {
                if (_position >= end)
                {
                    throw Error(_position, "the file ends inside a varint");
                }

                var b = data[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw Error(_position, "a varint is longer than 10 bytes");
        }

        public float Float()
        {
            Need(4);
            var value = BitConverter.ToSingle(data, _position);
            _position += 4;
            return value;
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var length = Length();
            var span = data.AsSpan(_position, length);
            _position += length;
            return span;
        }

        public string String()
        {
            var at = _position;
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Bytes());
            }
            catch (DecoderFallbackException)
            {
                throw Error(at, "a string field is not valid UTF-8");
            }
        }

        public Reader Message(string name)
        {
            var length = Length();
            var reader = new Reader(file, data, _position, _position + length, $"{message}.{name}");
            _position += length;
            return reader;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: Need(8); _position += 8; break;
                case 2: _position += Length(); break;
                case 5: Need(4); _position += 4; break;
                default: throw Error(_position, $"unsupported wire type {wire}");
            }
        }

        private int Length()
        {
            var at = _position;
            var length = Varint();
            if (length > (ulong)(end - _position))
            {
                throw Error(at, $"a length-delimited field of {length} bytes runs past the end of its message ({end - _position} bytes left)");
            }

            return (int)length;
        }

        private void Need(int count)
        {
            if (end - _position < count)
            {
                throw Error(_position, $"the file ends inside a {count}-byte field");
            }
        }

        private TokenizerFormatException Error(int at, string problem) =>
            new(file, $"byte {at} ({message})", problem + " — not a valid SentencePiece model");
    }
}
