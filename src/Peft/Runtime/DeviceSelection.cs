using TorchSharp;

namespace Peft.Runtime;

/// <summary>The device chosen by <see cref="DeviceSelector"/> and why.</summary>
/// <param name="Device">The TorchSharp device to place tensors and modules on.</param>
/// <param name="Requested">What was asked for, after the environment override.</param>
/// <param name="Reason">One sentence saying why this device was chosen.</param>
public sealed record DeviceSelection(torch.Device Device, DeviceOption Requested, string Reason)
{
    /// <summary>True when the chosen device is a CUDA GPU.</summary>
    public bool IsCuda => Device.type == DeviceType.CUDA;
}
