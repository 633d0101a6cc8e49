using FluentAssertions;
using Peft.Models;
using Peft.Quantization;
using Peft.Tests.Support;
using Xunit;
using static Peft.Tests.Quantization.QuantizedModels;

namespace Peft.Tests.Quantization;

public sealed class ModelMemoryReportTests
{
    [Fact]
    public void Nf4DoubleQuantPartsAddUpFromTheShapes()
    {
        using var model = QuantizedModel.FromPretrained(TestData.HfParity("model"), QuantizationConfig.Nf4(doubleQuant: true), Cpu);
        var report = ModelMemoryReport.Create(model);

        // Fixture: hidden 64, intermediate 128, 2 layers; q/o [64, 64], k/v [32, 64], gate/up [128, 64], down [64, 128].
        long[] sizes = { 4096, 2048, 2048, 4096, 8192, 8192, 8192 };
        long n = sizes.Sum() * 2;
        long absmax = sizes.Sum(s => s / 64) * 2;
        long nested = sizes.Sum(s => (((s / 64) + 255) / 256 * 4) + 4) * 2;
        const string kind = "linear 4-bit nf4 + double quant";
        Row(report, kind, "packed codes").Should().Be((14, n, n / 2));
        Row(report, kind, "absmax (8-bit)").Should().Be((14, n, absmax));
        Row(report, kind, "double-quant state").Should().Be((14, n, nested));
        Row(report, "embeddings", "weight").Should().Be((1, 256 * 64, 256 * 64 * 4));
        Row(report, "lm_head", "weight").Should().Be((1, 256 * 64, 256 * 64 * 4));
        Row(report, "norms", "weight").Should().Be((5, 5 * 64, 5 * 64 * 4));
        report.QuantizedParameters.Should().Be(n);
        report.QuantizedWeightBytes.Should().Be((n / 2) + absmax + nested);
        report.QuantizedBytesPerParameter.Should().BeLessThan(0.52);
        report.TotalParameters.Should().Be(model.Config.ParameterCount());
        report.TotalBytes.Should().Be(report.Kinds.Sum(k => k.Bytes));

        var text = report.ToString();
        text.Should().Contain(kind).And.Contain("packed codes").And.Contain("embeddings").And.Contain("quantized weights: 73,728 parameters");
    }

    [Fact]
    public void DenseAndInt8ModelsAreReportedByKind()
    {
        using var dense = CausalLM.FromPretrained(TestData.HfParity("model"), Cpu);
        var d = ModelMemoryReport.Create(dense);
        Row(d, "linear (dense)", "weight").Should().Be((14, 73_728, 73_728 * 4));
        d.QuantizedParameters.Should().Be(0);
        d.TotalBytes.Should().Be(dense.Config.ParameterCount() * 4);

        using var int8 = QuantizedModel.FromPretrained(TestData.HfParity("model"), QuantizationConfig.Int8(), Cpu);
        var q = ModelMemoryReport.Create(int8);
        Row(q, "linear 8-bit", "int8 codes").Should().Be((14, 73_728, 73_728));
        Row(q, "linear 8-bit", "row scales").Bytes.Should().Be((64 + 32 + 32 + 64 + 128 + 128 + 64) * 2 * 4);
    }

    private static (int Modules, long Parameters, long Bytes) Row(ModelMemoryReport report, string kind, string part)
    {
        var row = report.Parts.Single(p => p.Kind == kind && p.Part == part);
        return (row.Modules, row.Parameters, row.Bytes);
    }
}
