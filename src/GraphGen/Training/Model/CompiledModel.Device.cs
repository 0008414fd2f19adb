using GraphGen.Ilgpu;
using GraphGen.Training;

namespace GraphGen.Training
{
    public abstract partial class CompiledModel
    {
        // The model's place on an ILGPU accelerator, or null on the CPU. While placed, the device holds the weights
        // training changes; the Parameters catch up at a sync point (SaveWeights, checkpoints, reading Weights or Layers,
        // To(Device.Cpu)).
        private IlgpuPlacement? _placement;

        internal IlgpuPlacement? Placement => _placement;

        /// <summary>Where the model runs: <see cref="GraphGen.Device.Cpu"/> until <c>To(device)</c> places it elsewhere.</summary>
        public Device Device => _placement?.Device ?? Device.Cpu;

        /// <summary>The targets a device step holds per row and whether they are int labels; the typed model answers.</summary>
        private protected virtual (int Width, bool Labels) DeviceTargets()
            => throw new NotSupportedException($"{GetType().Name} has no targets a device step can hold.");

        /// <summary>Moves the model to <paramref name="device"/> (see <see cref="ModelDevices.To"/>).</summary>
        internal void PlaceOn(Device device)
        {
            ArgumentNullException.ThrowIfNull(device);
            using var _ = Enter(changesModel: true);
            if (device == Device) return;
            if (_placement is { HoldsTrainingSet: true })
                throw new InvalidOperationException($"{GetType().Name} is training on {Device}; it can move to {device} once Fit returns, not from a callback.");
            if (device.Kind == DeviceKind.Cpu)
            {
                LeaveDevice();
                return;
            }
            IlgpuAccelerators.ThrowIfUnsupported(device);
            var program = CreateIlgpuProgram() ?? throw new NotSupportedException(
                $"{GetType().Name} cannot run on {device}: it has no ILGPU program. The generator writes one for a model whose every " +
                "kernel it can lower to ILGPU; this model's plan has an op it cannot, or the model was compiled without that emitter. It runs on Device.Cpu.");
            var (width, labels) = DeviceTargets();
            LeaveDevice();
            _placement = IlgpuPlacement.Create(device, program, _weights, InputWidth, width, labels);
            foreach (var p in _weights) p.SyncHost = this;
        }

        /// <summary>Weights, gradients and optimizer state home from the device, and the device released.</summary>
        private void LeaveDevice()
        {
            if (_placement is not { } placement) return;
            placement.SyncToHost();
            placement.SyncGradientsToHost();
            foreach (var p in _weights) p.SyncHost = null;
            _placement = null;
            placement.Dispose();
        }

        /// <summary>The device's newer weights and optimizer state → the host, to be read (saving); the caller holds the gate.</summary>
        private protected void SyncToHost() => _placement?.SyncToHost();

        /// <summary>
        /// Before the host reads a parameter (Weights, a parameter's Data or Gradient): the device's newer values come
        /// home, and as the reader may change them, the device takes the host's before its next use. While another
        /// thread runs a call the host's values are read as they stand, as a read during training on the CPU would be.
        /// </summary>
        private protected void SyncForHostRead(bool gradient)
        {
            if (_placement is null || !System.Threading.Monitor.TryEnter(_gate)) return;
            try
            {
                if (_placement is not { } placement) return;
                if (gradient) placement.SyncGradientsToHost();
                else placement.SyncToHost(handOut: true);
            }
            finally
            {
                System.Threading.Monitor.Exit(_gate);
            }
        }

        void ITensorHost.BeforeHostRead(bool gradient) => SyncForHostRead(gradient);

        /// <summary>The host's weights were loaded: the device takes them before its next step.</summary>
        private protected void HostWeightsChanged() => _placement?.HostChanged();

        /// <summary>
        /// Predict on the device: the inputs uploaded once, each batch run forward from there and its outputs read back.
        /// Returns false (and does nothing) on the CPU.
        /// </summary>
        private bool PredictOnDevice(ReadOnlySpan<float> x, Span<float> output, int rows, int size)
        {
            if (_placement is not { } placement) return false;
            placement.EnsureOnDevice();
            placement.EnsureCapacity(Math.Min(rows, size));
            using var inputs = placement.UploadInputs(x[..(rows * InputWidth)], InputWidth);
            for (int start = 0; start < rows; start += size)
            {
                int batch = Math.Min(size, rows - start);
                placement.Forward(inputs, start, batch, output.Slice(start * OutputWidth, batch * OutputWidth));
            }
            return true;
        }
    }
}

namespace GraphGen
{
    /// <summary>Placing a model on a device (<see cref="Devices.List"/> says which this machine has).</summary>
    public static class ModelDevices
    {
        /// <summary>
        /// Moves <paramref name="model"/> to <paramref name="device"/> and returns it, as PyTorch's <c>model.to(device)</c>.
        /// On <see cref="Device.Cpu"/> it runs as it always has. On an ILGPU device (<see cref="Device.Cuda"/>,
        /// <see cref="Device.IlgpuCpu"/>) its generated ILGPU program is loaded and the weights uploaded, and from then on
        /// TrainStep, ComputeGradients, Fit (the training set uploaded once per call, batches gathered on the device),
        /// Evaluate and Predict run there. The weights come back when read: SaveWeights, checkpoints, the model's Weights
        /// and Layers (a sync point each), and <c>To(Device.Cpu)</c>, which also brings the optimizer's state home.
        /// Parameters reached another way (a layer property held from before) see the last sync.
        /// </summary>
        /// <exception cref="NotSupportedException">The model has no ILGPU program.</exception>
        public static TModel To<TModel>(this TModel model, Device device) where TModel : CompiledModel
        {
            ArgumentNullException.ThrowIfNull(model);
            model.PlaceOn(device);
            return model;
        }
    }
}
