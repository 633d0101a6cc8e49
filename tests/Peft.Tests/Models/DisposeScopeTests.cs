using FluentAssertions;
using Peft.Adapters;
using Peft.Models;
using Peft.Quantization;
using Peft.Runtime;
using Peft.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Models;

/// <summary>Models outlive the dispose scope they were created or loaded in.</summary>
public sealed class DisposeScopeTests
{
    private static void ForwardWorks(CausalLM model)
    {
        using var ids = arange(1, 6, dtype: ScalarType.Int64).unsqueeze(0);
        using var output = model.Forward(ids);
        output.Logits.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void ModelsBuiltInsideAScopeSurviveIt()
    {
        CausalLM created, loaded, lowMemory, quantized;
        PeftModel adapted;
        using (NewDisposeScope())
        {
            created = TinyModels.Create(TinyModels.Config(rope: new RopeScaling("linear", 2)));
            loaded = CausalLM.FromPretrained(TestData.HfParity("model"), new ModelLoadOptions { Device = DeviceOption.Cpu });
            lowMemory = CausalLM.FromPretrained(TestData.HfParity("model"), new ModelLoadOptions { Device = DeviceOption.Cpu, LowMemory = true });
            quantized = QuantizedModel.FromPretrained(TestData.HfParity("model"), QuantizationConfig.Nf4(), new ModelLoadOptions { Device = DeviceOption.Cpu });
            adapted = PeftModel.FromPretrained(CausalLM.FromPretrained(TestData.HfParity("model"), new ModelLoadOptions { Device = DeviceOption.Cpu }),
                TestData.HfParity("adapters", "lora_r8"));
        }

        foreach (var model in new[] { created, loaded, lowMemory, quantized, adapted.BaseModel })
        {
            ForwardWorks(model);
        }

        created.Dispose();
        loaded.Dispose();
        lowMemory.Dispose();
        quantized.Dispose();
        adapted.Dispose();
    }
}
