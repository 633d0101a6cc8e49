using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;

namespace Peft.Runtime;

/// <summary>
/// Chooses the compute device. The <c>PEFT_DEVICE</c> environment variable, when set, overrides the option
/// given in code; <see cref="DeviceKind.Auto"/> picks CUDA when TorchSharp reports an available CUDA backend
/// and the CPU otherwise. An explicit CUDA request that cannot be met is an error, never a silent fallback.
/// </summary>
public static class DeviceSelector
{
    /// <summary>The environment variable that overrides the requested device.</summary>
    public const string EnvironmentVariable = "PEFT_DEVICE";

    /// <summary>Selects a device and logs the choice and its reason at Information level.</summary>
    /// <param name="requested">What the caller asks for; null means <see cref="DeviceOption.Auto"/>.</param>
    /// <param name="logger">Receives the decision; null for none.</param>
    /// <returns>The device and the reason for it.</returns>
    /// <exception cref="DeviceUnavailableException">CUDA was asked for but no (or not that many) CUDA devices are available.</exception>
    /// <exception cref="FormatException"><c>PEFT_DEVICE</c> holds an unrecognised value.</exception>
    public static DeviceSelection Select(DeviceOption? requested = null, ILogger? logger = null)
    {
        TorchRuntime.EnsureInitialized(logger);
        return Select(requested, logger, Environment.GetEnvironmentVariable, new TorchCudaProbe());
    }

    internal static DeviceSelection Select(DeviceOption? requested, ILogger? logger, Func<string, string?> environment, ICudaProbe probe)
    {
        logger ??= NullLogger.Instance;
        var option = requested ?? DeviceOption.Auto;
        var source = "requested in code";
        var fromEnvironment = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            try
            {
                option = DeviceOption.Parse(fromEnvironment);
            }
            catch (FormatException ex)
            {
                throw new FormatException($"{EnvironmentVariable}: {ex.Message}", ex);
            }

            source = $"set by {EnvironmentVariable}={fromEnvironment.Trim()}";
        }

        var selection = Decide(option, source, probe);
        logger.LogInformation("Device {Device}: {Reason}", selection.Device, selection.Reason);
        return selection;
    }

    private static DeviceSelection Decide(DeviceOption option, string source, ICudaProbe probe)
    {
        switch (option.Kind)
        {
            case DeviceKind.Cpu:
                return new DeviceSelection(torch.CPU, option, $"cpu {source}.");
            case DeviceKind.Cuda:
            {
                var count = probe.DeviceCount();
                if (count == 0)
                {
                    throw new DeviceUnavailableException(
                        $"CUDA device {option.Index} was {source}, but TorchSharp reports no available CUDA device. Reference "
                        + "TorchSharp-cuda-linux (or -windows) instead of TorchSharp-cpu, check the NVIDIA driver with nvidia-smi, "
                        + $"or choose the CPU (DeviceOption.Cpu, {EnvironmentVariable}=cpu).");
                }

                if (option.Index >= count)
                {
                    throw new DeviceUnavailableException(
                        $"CUDA device {option.Index} was {source}, but only {count} CUDA device(s) are available (indices 0..{count - 1}).");
                }

                return new DeviceSelection(new torch.Device(DeviceType.CUDA, option.Index), option, $"cuda:{option.Index} {source}.");
            }

            default:
            {
                var count = probe.DeviceCount();
                return count > 0
                    ? new DeviceSelection(new torch.Device(DeviceType.CUDA, 0), option, $"auto ({source}): CUDA is available ({count} device(s)); using cuda:0.")
                    : new DeviceSelection(torch.CPU, option, $"auto ({source}): no CUDA backend or device is available; using the CPU.");
            }
        }
    }

    private sealed class TorchCudaProbe : ICudaProbe
    {
        public int DeviceCount()
        {
            try
            {
                return torch.cuda.is_available() ? torch.cuda.device_count() : 0;
            }
            catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or TypeInitializationException or DllNotFoundException)
            {
                return 0; // no CUDA backend package: TorchSharp cannot load its CUDA natives
            }
        }
    }
}
