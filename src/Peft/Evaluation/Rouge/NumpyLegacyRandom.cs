namespace Peft.Evaluation.Rouge;

/// <summary>
/// The Mersenne Twister MT19937 (Matsumoto and Nishimura 1998) seeded and used the way NumPy's legacy
/// <c>np.random.seed(seed)</c> / <c>RandomState.randint</c> do, so bootstrap resampling draws the same indices as
/// rouge_score running under a seeded NumPy.
/// </summary>
internal sealed class NumpyLegacyRandom
{
    private const int StateLength = 624;
    private const int Shift = 397;
    private const uint MatrixA = 0x9908B0DF;
    private const uint UpperMask = 0x80000000;
    private const uint LowerMask = 0x7FFFFFFF;

    private readonly uint[] _state = new uint[StateLength];
    private int _position;

    /// <summary>Seeds like <c>np.random.seed(seed)</c> with an integer (Knuth's initialisation, multiplier 1812433253).</summary>
    public NumpyLegacyRandom(uint seed)
    {
        _state[0] = seed;
        for (var i = 1; i < StateLength; i++)
        {
            var previous = _state[i - 1];
            _state[i] = unchecked(1812433253u * (previous ^ (previous >> 30)) + (uint)i);
        }

        _position = StateLength;
    }

    /// <summary>The next 32 random bits (tempered MT19937 output).</summary>
    public uint NextUInt32()
    {
        if (_position >= StateLength)
        {
            Regenerate();
        }

        var y = _state[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680;
        y ^= (y << 15) & 0xEFC60000;
        y ^= y >> 18;
        return y;
    }

    /// <summary>
    /// A uniform integer in [0, <paramref name="max"/>] as NumPy's legacy bounded generator draws it: 32-bit words
    /// masked to the smallest covering power of two, rejected while above <paramref name="max"/>; no draw at all
    /// when <paramref name="max"/> is 0.
    /// </summary>
    public uint NextBounded(uint max)
    {
        if (max == 0)
        {
            return 0;
        }

        var mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint value;
        do
        {
            value = NextUInt32() & mask;
        }
        while (value > max);

        return value;
    }

    private void Regenerate()
    {
        for (var i = 0; i < StateLength; i++)
        {
            var y = (_state[i] & UpperMask) | (_state[(i + 1) % StateLength] & LowerMask);
            var next = _state[(i + Shift) % StateLength] ^ (y >> 1);
            _state[i] = (y & 1) != 0 ? next ^ MatrixA : next;
        }

        _position = 0;
    }
}
