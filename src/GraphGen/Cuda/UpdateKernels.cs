using GraphGen.Training;

namespace GraphGen.Cuda;

/// <summary>One optimizer step on the GPU: the kernel that applies it and the hyperparameters it reads.</summary>
/// <param name="Kernel">The <c>extern "C"</c> kernel in <see cref="UpdateKernels.Source"/>.</param>
/// <param name="Hyperparameters">What the kernel reads from device memory this step, in its order.</param>
/// <param name="Slots">State arrays the kernel updates beside the weight (the optimizer's slots, in its order).</param>
public sealed record UpdateLaunch(string Kernel, float[] Hyperparameters, int Slots);

/// <summary>
/// The optimizers' update rules as CUDA C, one kernel per rule (the same arithmetic as their <see cref="IUpdateRule"/>s),
/// compiled by NVRTC once with the model's kernels. Hyperparameters come from device memory, not kernel arguments: a
/// captured CUDA graph replays its arguments as captured, while the learning rate (a schedule) and Adam's bias-corrected
/// step change every step, so the host writes them to that memory before each replay.
/// </summary>
public static class UpdateKernels
{
    /// <summary>The launch for <paramref name="optimizer"/>'s step number <paramref name="step"/> (from 1), at its current rate.</summary>
    public static UpdateLaunch For(Optimizer optimizer, long step)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        float lr = optimizer.LearningRate.At(step - 1);
        return optimizer switch
        {
            Sgd { Momentum: 0 } => new("graphgen_sgd", [lr], 0),
            Sgd s => new("graphgen_sgd_momentum", [lr, s.Momentum, s.Nesterov ? 1 : 0], 1),
            RmsProp r => new("graphgen_rmsprop", [lr, r.Rho, r.Momentum, r.Epsilon, r.Centered ? 1 : 0], r.SlotNames.Count),
            Adam a => new("graphgen_adam", [a.StepSize(lr, step), a.Beta1, a.Beta2, a.Epsilon], 2),
            Adagrad g => new("graphgen_adagrad", [lr, g.Epsilon], 1),
            _ => throw new NotSupportedException($"{optimizer.Name} has no CUDA update kernel."),
        };
    }

    /// <summary>Every update kernel: w, g and the slots are n floats; h holds the hyperparameters <see cref="For"/> lists.</summary>
    public const string Source = """
        // GraphGen's optimizer updates, as their C# rules: one thread per value, a grid-stride loop over n.
        #define GG_EACH for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)

        // w -= lr·g.  h = {lr}
        extern "C" __global__ void graphgen_sgd(float* __restrict__ w, const float* __restrict__ g, const float* __restrict__ h, size_t n)
        {
            const float lr = h[0];
            GG_EACH w[i] -= lr * g[i];
        }

        // v = μv − lr·g; w += v, or with Nesterov w += μv − lr·g.  h = {lr, μ, nesterov}
        extern "C" __global__ void graphgen_sgd_momentum(float* __restrict__ w, const float* __restrict__ g, float* __restrict__ v,
            const float* __restrict__ h, size_t n)
        {
            const float lr = h[0], mu = h[1];
            const bool nesterov = h[2] != 0.0f;
            GG_EACH
            {
                v[i] = mu * v[i] - lr * g[i];
                w[i] += nesterov ? mu * v[i] - lr * g[i] : v[i];
            }
        }

        // Keras's RMSprop: v = ρv + (1 − ρ)g²; centered keeps ā = ρā + (1 − ρ)g and divides by √(v − ā² + ε);
        // the step lr·g/√(v + ε) is taken directly or through m = μm + step.  h = {lr, ρ, μ, ε, centered}
        // Slots in the optimizer's order: velocity, then average_gradient (centered), then momentum (μ > 0).
        extern "C" __global__ void graphgen_rmsprop(float* __restrict__ w, const float* __restrict__ g, float* __restrict__ v,
            float* __restrict__ s1, float* __restrict__ s2, const float* __restrict__ h, size_t n)
        {
            const float lr = h[0], rho = h[1], mu = h[2], epsilon = h[3];
            const bool centered = h[4] != 0.0f;
            float* average = centered ? s1 : nullptr;
            float* momentum = mu > 0.0f ? (centered ? s2 : s1) : nullptr;
            GG_EACH
            {
                const float gi = g[i];
                v[i] = rho * v[i] + (1.0f - rho) * gi * gi;
                float denominator = v[i] + epsilon;
                if (average) { average[i] = rho * average[i] + (1.0f - rho) * gi; denominator -= average[i] * average[i]; }
                const float increment = lr * gi / sqrtf(denominator);
                if (momentum) { momentum[i] = mu * momentum[i] + increment; w[i] -= momentum[i]; }
                else w[i] -= increment;
            }
        }

        // Keras's Adam with the bias correction folded into α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ), computed on the host per step.
        // m += (g − m)(1 − β₁); v += (g² − v)(1 − β₂); w −= m·α/(√v + ε).  h = {α, β₁, β₂, ε}
        extern "C" __global__ void graphgen_adam(float* __restrict__ w, const float* __restrict__ g, float* __restrict__ m,
            float* __restrict__ v, const float* __restrict__ h, size_t n)
        {
            const float alpha = h[0], beta1 = h[1], beta2 = h[2], epsilon = h[3];
            GG_EACH
            {
                const float gi = g[i];
                m[i] += (gi - m[i]) * (1.0f - beta1);
                v[i] += (gi * gi - v[i]) * (1.0f - beta2);
                w[i] -= m[i] * alpha / (sqrtf(v[i]) + epsilon);
            }
        }

        // Adagrad: a += g²; w −= lr·g/√(a + ε).  h = {lr, ε}
        extern "C" __global__ void graphgen_adagrad(float* __restrict__ w, const float* __restrict__ g, float* __restrict__ a,
            const float* __restrict__ h, size_t n)
        {
            const float lr = h[0], epsilon = h[1];
            GG_EACH
            {
                a[i] += g[i] * g[i];
                w[i] -= lr * g[i] / sqrtf(a[i] + epsilon);
            }
        }
        """;
}
