using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Training;

/// <summary>
/// Activation checkpointing for one decoder layer: the forward runs without recording the graph and keeps only
/// the layer's input; the backward runs the layer again with the graph and backpropagates through it, so memory
/// holds one layer's activations at a time. The CPU random state is saved before the forward and restored for
/// the recomputation, so dropout draws the same masks and gradients are identical to the plain run.
/// </summary>
internal sealed class ActivationCheckpoint : autograd.SingleTensorFunction<ActivationCheckpoint>
{
    public override string Name => "PeftActivationCheckpoint";

    /// <summary>Runs <paramref name="layer"/> on <paramref name="input"/> with checkpointing.</summary>
    /// <param name="layer">The layer's forward: [batch, seq, hidden] → [batch, seq, hidden].</param>
    /// <param name="input">[batch, seq, hidden]</param>
    public static Tensor Run(Func<Tensor, Tensor> layer, Tensor input)
    {
        if (!input.requires_grad && is_grad_enabled())
        {
            // Autograd only calls a function's backward when an input needs a gradient. The first layer's input
            // comes from a frozen embedding, so give it a (discarded) gradient, as transformers'
            // enable_input_require_grads does; otherwise the first layer's trainable weights get none.
            return apply(input.detach().requires_grad_(true), layer);
        }

        return apply(input, layer);
    }

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        var layer = (Func<Tensor, Tensor>)vars[1];
        ctx.save_data("layer", layer);
        ctx.save_data("input", input.detach().DetachFromDisposeScope());
        ctx.save_data("rng", get_rng_state().DetachFromDisposeScope());
        return layer(input);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var layer = (Func<Tensor, Tensor>)ctx.get_data("layer");
        using var saved = (Tensor)ctx.get_data("input");
        using var rng = (Tensor)ctx.get_data("rng");
        var current = get_rng_state();
        try
        {
            set_rng_state(rng);
            using var grad = enable_grad();
            using var input = saved.detach().requires_grad_(true);
            using var output = layer(input);
            output.backward(new[] { gradOutput });
            var inputGrad = input.grad is { } g ? g.clone() : zeros_like(saved);
            return new List<Tensor> { inputGrad, null! }; // one gradient per argument; the layer delegate has none
        }
        finally
        {
            set_rng_state(current);
            current.Dispose();
        }
    }
}
