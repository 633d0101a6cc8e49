using FluentAssertions;
using Peft.Runtime;
using TorchSharp;
using Xunit;

namespace Peft.Tests.Runtime;

public sealed class DeviceSelectorTests
{
    private sealed class FakeProbe(int count) : ICudaProbe
    {
        public int DeviceCount() => count;
    }

    private static DeviceSelection Select(DeviceOption? option, string? env, int gpus) =>
        DeviceSelector.Select(option, null, name => name == DeviceSelector.EnvironmentVariable ? env : null, new FakeProbe(gpus));

    [Fact]
    public void AutoPicksCpuWithoutCuda()
    {
        var s = Select(DeviceOption.Auto, null, 0);
        s.Device.type.Should().Be(DeviceType.CPU);
        s.IsCuda.Should().BeFalse();
        s.Reason.Should().Contain("no CUDA");
    }

    [Fact]
    public void AutoPicksFirstGpuWithCuda()
    {
        var s = Select(null, null, 2);
        s.Device.type.Should().Be(DeviceType.CUDA);
        s.Device.index.Should().Be(0);
        s.Reason.Should().Contain("CUDA is available (2 device(s))");
    }

    [Fact]
    public void EnvironmentOverridesTheCodeOption()
    {
        var s = Select(DeviceOption.Cuda(0), "cpu", 1);
        s.Device.type.Should().Be(DeviceType.CPU);
        s.Requested.Should().Be(DeviceOption.Cpu);
        s.Reason.Should().Contain("PEFT_DEVICE=cpu");
    }

    [Fact]
    public void EnvironmentCanSelectASecondGpu()
    {
        var s = Select(DeviceOption.Cpu, " CUDA:1 ", 2);
        s.Device.type.Should().Be(DeviceType.CUDA);
        s.Device.index.Should().Be(1);
    }

    [Fact]
    public void ExplicitCudaWithoutCudaIsAClearError()
    {
        var act = () => Select(DeviceOption.Cuda(), null, 0);
        act.Should().Throw<DeviceUnavailableException>()
            .WithMessage("CUDA device 0 was requested in code, but TorchSharp reports no available CUDA device*TorchSharp-cuda-linux*");
    }

    [Fact]
    public void CudaFromEnvironmentWithoutCudaNamesTheVariable()
    {
        var act = () => Select(DeviceOption.Auto, "cuda", 0);
        act.Should().Throw<DeviceUnavailableException>().WithMessage("*set by PEFT_DEVICE=cuda*");
    }

    [Fact]
    public void GpuIndexBeyondTheCountIsAnError()
    {
        var act = () => Select(DeviceOption.Cuda(3), null, 2);
        act.Should().Throw<DeviceUnavailableException>().WithMessage("*only 2 CUDA device(s) are available (indices 0..1)*");
    }

    [Theory]
    [InlineData("cpu", DeviceKind.Cpu, 0)]
    [InlineData("Auto", DeviceKind.Auto, 0)]
    [InlineData("cuda", DeviceKind.Cuda, 0)]
    [InlineData("cuda:7", DeviceKind.Cuda, 7)]
    public void ParsesDeviceNames(string text, DeviceKind kind, int index)
    {
        var option = DeviceOption.Parse(text);
        option.Kind.Should().Be(kind);
        option.Index.Should().Be(index);
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    public void RejectsBadDeviceNames(string text)
    {
        var act = () => DeviceOption.Parse(text);
        act.Should().Throw<FormatException>().WithMessage($"*found '{text}'*");
    }

    [Fact]
    public void BadEnvironmentValueNamesTheVariable()
    {
        var act = () => Select(null, "metal", 0);
        act.Should().Throw<FormatException>().WithMessage("PEFT_DEVICE: *found 'metal'*");
    }

    [Fact]
    public void RealSelectionOnThisMachineIsCpuWithoutACudaBackend()
    {
        // Tests reference TorchSharp-cpu only, so CUDA is never available here.
        var previous = Environment.GetEnvironmentVariable(DeviceSelector.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DeviceSelector.EnvironmentVariable, null);
            DeviceSelector.Select().Device.type.Should().Be(DeviceType.CPU);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DeviceSelector.EnvironmentVariable, previous);
        }
    }
}
