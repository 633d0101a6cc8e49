namespace Peft.Quantization;

/// <summary>One line of a <see cref="ModelMemoryReport"/>: a module kind, or one storage part of it.</summary>
/// <param name="Kind">Module kind, e.g. <c>embeddings</c>, <c>linear 4-bit nf4 + double quant</c>, <c>norms</c>.</param>
/// <param name="Part">Storage part (<c>packed codes</c>, <c>absmax</c>, <c>weight</c>, <c>bias</c>, …), or <c>total</c> for a kind's sum.</param>
/// <param name="Modules">Number of modules of this kind.</param>
/// <param name="Parameters">Logical parameters the part stores (a quantized weight's parts all count its elements).</param>
/// <param name="Bytes">Bytes held.</param>
public sealed record ModelMemoryReportRow(string Kind, string Part, int Modules, long Parameters, long Bytes)
{
    /// <summary><c>Bytes / Parameters</c> (0 when there are no parameters).</summary>
    public double BytesPerParameter => Parameters == 0 ? 0 : (double)Bytes / Parameters;
}
