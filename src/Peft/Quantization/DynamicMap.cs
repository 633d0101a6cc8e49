using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// bitsandbytes' signed dynamic 8-bit map (<c>create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8)</c>),
/// used for the double quantization of 4-bit absmax values, and the midpoints that pick the nearest code.
/// </summary>
/// <remarks>
/// For <c>i = 0…6</c>: take the <c>2^i</c> midpoints of <c>linspace(0.1, 1, 2^i + 1)</c> (float32), scale them by
/// <c>10^(i − 6)</c> and add them with both signs; then add 0 and 1 and sort. That gives 256 values from
/// −0.99296875 to 1. The same float32 operations as in bitsandbytes are used so the table is identical.
/// </remarks>
internal static class DynamicMap
{
    private static readonly Lazy<float[]> Values = new(Create);
    private static readonly ConcurrentDictionary<string, (Tensor Map, Tensor Midpoints)> Cache = new();

    /// <summary>The 256 sorted values.</summary>
    public static float[] Table => Values.Value;

    /// <summary>The map and its 255 midpoints <c>(m[i] + m[i+1]) · 0.5</c> on a device (cached; do not dispose).</summary>
    public static (Tensor Map, Tensor Midpoints) On(Device device) =>
        Cache.GetOrAdd(device.ToString(), _ =>
        {
            var map = Table;
            var mid = new float[255];
            for (var i = 0; i < 255; i++)
            {
                mid[i] = (map[i] + map[i + 1]) * 0.5f;
            }

            var m = tensor(map).to(device);
            var p = tensor(mid).to(device);
            m.DetachFromDisposeScope();
            p.DetachFromDisposeScope();
            return (m, p);
        });

    private static float[] Create()
    {
        using var scope = NewDisposeScope();
        var data = new List<float>(256);
        const int maxExponentBits = 7;
        for (var i = 0; i < maxExponentBits; i++)
        {
            var items = (1L << i) + 1;
            var boundaries = linspace(0.1, 1.0, items, ScalarType.Float32);
            var means = boundaries.narrow(0, 0, items - 1).add(boundaries.narrow(0, 1, items - 1)).div(2.0);
            var exponent = -(maxExponentBits - 1) + i;
            var scaled = exponent == 0 ? means : means.mul(Math.Pow(10, exponent));
            var values = scaled.data<float>().ToArray();
            data.AddRange(values);
            data.AddRange(values.Select(v => -v));
        }

        data.Add(0f);
        data.Add(1f);
        data.Sort();
        return data.ToArray();
    }
}
