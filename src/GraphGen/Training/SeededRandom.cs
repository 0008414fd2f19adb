namespace GraphGen.Training;

/// <summary>
/// xoshiro128** seeded through SplitMix64. Our own generator, not <see cref="System.Random"/>, so a seed gives
/// the same weights and the same batch order on every .NET version.
/// </summary>
public sealed class SeededRandom
{
    private uint _s0, _s1, _s2, _s3;
    private double? _spareNormal;

    public SeededRandom(ulong seed)
    {
        ulong x = seed;
        ulong a = SplitMix(ref x), b = SplitMix(ref x);
        _s0 = (uint)a; _s1 = (uint)(a >> 32); _s2 = (uint)b; _s3 = (uint)(b >> 32);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public uint NextUInt32()
    {
        uint result = uint.RotateLeft(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3; _s2 ^= t;
        _s3 = uint.RotateLeft(_s3, 11);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits (every float in the range is reachable).</summary>
    public double NextDouble() => (NextUInt32() >> 8) * (1.0 / (1 << 24));

    /// <summary>Uniform integer in [0, bound) without modulo bias (Lemire's method).</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound));
        ulong m = (ulong)NextUInt32() * (uint)bound;
        uint low = (uint)m;
        if (low < (uint)bound)
        {
            uint threshold = (uint)-bound % (uint)bound;
            while (low < threshold) { m = (ulong)NextUInt32() * (uint)bound; low = (uint)m; }
        }
        return (int)(m >> 32);
    }

    /// <summary>Standard normal by the Box–Muller transform (the pair's second value is kept for the next call).</summary>
    public double NextNormal()
    {
        if (_spareNormal is double spare) { _spareNormal = null; return spare; }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spareNormal = r * Math.Sin(2 * Math.PI * u2);
        return r * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Fisher–Yates shuffle of <paramref name="items"/> in place.</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The generator's state as text (for checkpoints); <see cref="RestoreState"/> reads it back.</summary>
    internal string SaveState() => $"{_s0:x8}{_s1:x8}{_s2:x8}{_s3:x8}";

    /// <summary>A generator continuing from <see cref="SaveState"/>'s text, or null if the text is not a state.</summary>
    internal static SeededRandom? RestoreState(string text)
    {
        if (text.Length != 32) return null;
        var words = new uint[4];
        for (int i = 0; i < 4; i++)
            if (!uint.TryParse(text.AsSpan(i * 8, 8), System.Globalization.NumberStyles.AllowHexSpecifier, null, out words[i])) return null;
        if ((words[0] | words[1] | words[2] | words[3]) == 0) return null;
        var random = new SeededRandom(0);
        (random._s0, random._s1, random._s2, random._s3) = (words[0], words[1], words[2], words[3]);
        return random;
    }
}
