namespace Peft.Quantization;

/// <summary>
/// The 4-bit data types of bitsandbytes (<c>bnb_4bit_quant_type</c>). Both store one of 16 codes per element,
/// scaled by the absolute maximum of its block: <c>x ≈ code[q] · absmax</c>.
/// </summary>
public enum QuantType
{
    /// <summary>
    /// NormalFloat4 (<c>"nf4"</c>, QLoRA): 16 quantiles of a standard normal distribution normalised to [−1, 1],
    /// with an exact zero (code 7) and one more positive than negative value. The best fit for normally
    /// distributed weights.
    /// </summary>
    Nf4,

    /// <summary>
    /// A 4-bit float (<c>"fp4"</c>): 1 sign bit (the high bit of the nibble), 2 exponent bits, 1 mantissa bit,
    /// magnitudes {0, 0.0625, 2, 3, 4, 6, 8, 12} / 12.
    /// </summary>
    Fp4,
}
