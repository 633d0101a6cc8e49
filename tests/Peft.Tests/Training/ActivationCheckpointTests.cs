using FluentAssertions;
using Peft.Tests.Support;
using Peft.Training;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Training;

public sealed class ActivationCheckpointTests
{
    [Fact]
    public void GradientsAreBitIdenticalToThePlainBackward()
    {
        using var model = TinyModels.Create(TinyModels.Config(layers: 3));
        var trainable = model.named_parameters().Where(p => p.name.Contains("layers.1.") || p.name.Contains("norm.weight")).ToList();
        trainable.ForEach(p => p.parameter.requires_grad = true);
        using var ids = randint(0, 64, new long[] { 2, 10 }, dtype: ScalarType.Int64, generator: new Generator(3));

        Dictionary<string, float[]> Gradients(bool checkpoint)
        {
            model.Model.LayerRunner = checkpoint ? (_, layer, x) => ActivationCheckpoint.Run(layer, x) : null;
            foreach (var (_, p) in trainable)
            {
                p.grad?.zero_();
            }

            using (var output = model.Forward(ids, labels: ids))
            {
                output.Loss!.backward();
            }

            return trainable.ToDictionary(p => p.name, p => p.parameter.grad!.flatten().data<float>().ToArray());
        }

        var plain = Gradients(false);
        var checkpointed = Gradients(true);
        model.Model.LayerRunner = null;

        foreach (var (name, grad) in plain)
        {
            grad.Should().Contain(v => v != 0, name);
            checkpointed[name].Should().Equal(grad, name);
        }
    }
}
