using GraphGen.Cpu;

namespace GraphGen.Training;

/// <summary>
/// Updates parameters from their gradients after each batch. State (momentum, velocity, …) lives in slots beside
/// the parameters, created at the first step; <see cref="Iterations"/> counts the steps taken, as Keras's
/// <c>optimizer.iterations</c> does, and drives the learning-rate schedule.
/// </summary>
public abstract class Optimizer
{
    private string[] _boundNames = [];
    private int[] _boundLengths = [];
    private float[][][] _slots = [];
    // The open step: its parameters, learning rate, and which parameters the backward pass already updated.
    private IReadOnlyList<Parameter>? _stepParameters;
    private float _stepRate;
    private bool[] _updatedInGemm = [];

    protected Optimizer(LearningRateSchedule learningRate)
    {
        LearningRate = learningRate ?? throw new ArgumentNullException(nameof(learningRate));
    }

    /// <summary>The learning rate: a constant (a float converts implicitly) or a schedule over <see cref="Iterations"/>.</summary>
    public LearningRateSchedule LearningRate { get; set; }

    /// <summary>Steps taken so far.</summary>
    public long Iterations { get; set; }

    /// <summary>The learning rate the next step uses.</summary>
    public float CurrentLearningRate => LearningRate.At(Iterations);

    /// <summary>Keras's name for the optimizer (sgd, rmsprop, adam, adagrad).</summary>
    public abstract string Name { get; }

    /// <summary>The state slots each parameter gets, by Keras's names (empty for plain SGD).</summary>
    public abstract IReadOnlyList<string> SlotNames { get; }

    /// <summary>Applies one update to every parameter from its <see cref="Parameter.Gradient"/>.</summary>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        BeginStep(parameters);
        EndStep();
    }

    /// <summary>
    /// Opens a step over <paramref name="parameters"/>: fixes its learning rate and number, so the updates the backward
    /// pass applies inside gradient GEMMs (<see cref="UpdateInGemm"/>) and the rest (<see cref="EndStep"/>) are one step.
    /// </summary>
    internal void BeginStep(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Bind(parameters);
        float lr = CurrentLearningRate;
        if (!float.IsFinite(lr) || lr < 0)
            throw new InvalidOperationException($"{Name}: the learning rate at step {Iterations} is {lr}; it must be a finite number ≥ 0.");
        _stepParameters = parameters;
        _stepRate = lr;
        Array.Clear(_updatedInGemm);
    }

    /// <summary>
    /// Computes <paramref name="parameter"/>'s gradient as op(A)·op(B) and applies this step's update to it as each value
    /// is stored. The generated backward pass calls it for a weight no later kernel reads; the result equals the GEMM
    /// followed by <see cref="Step"/> bit for bit.
    /// </summary>
    internal void UpdateInGemm(GemmLayout layout, int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Parameter parameter)
    {
        var parameters = _stepParameters ?? throw new InvalidOperationException($"{Name}: an update inside a GEMM needs an open step.");
        int index = 0;
        while (index < parameters.Count && !ReferenceEquals(parameters[index], parameter)) index++;
        if (index == parameters.Count) throw new ArgumentException($"'{parameter.Name}' is not a parameter of this step.", nameof(parameter));
        var pass = new GemmPass(layout, m, n, k, a, b);
        Update(ref pass, parameter, _slots[index], _stepRate, Iterations + 1);
        _updatedInGemm[index] = true;
    }

    /// <summary>Updates every parameter of the open step not updated inside a GEMM, and counts the step.</summary>
    internal void EndStep()
    {
        var parameters = _stepParameters ?? throw new InvalidOperationException($"{Name}: no step is open.");
        var pass = new LoopPass();
        // An indexed loop: foreach over the interface would allocate an enumerator every step.
        for (int i = 0; i < parameters.Count; i++)
            if (!_updatedInGemm[i]) Update(ref pass, parameters[i], _slots[i], _stepRate, Iterations + 1);
        Iterations++;
        _stepParameters = null;
    }

    /// <summary>
    /// Opens a step whose update runs on a device (<see cref="Ilgpu.IlgpuUpdateKernels"/>) over the slots of
    /// <see cref="BoundSlots"/> mirrored there: checks and returns the step's learning rate. <see cref="EndDeviceStep"/>
    /// counts it; <see cref="EndStep"/> instead runs the update here, on the host's arrays.
    /// </summary>
    internal float BeginDeviceStep(IReadOnlyList<Parameter> parameters)
    {
        BeginStep(parameters);
        return _stepRate;
    }

    /// <summary>Counts a step whose update ran on the device.</summary>
    internal void EndDeviceStep()
    {
        if (_stepParameters is null) throw new InvalidOperationException($"{Name}: no step is open.");
        Iterations++;
        _stepParameters = null;
    }

    /// <summary>The state arrays, per parameter per slot (<see cref="SlotNames"/> order), bound to <paramref name="parameters"/>; a <see cref="Reset"/> replaces them.</summary>
    internal float[][][] BoundSlots(IReadOnlyList<Parameter> parameters)
    {
        Bind(parameters);
        return _slots;
    }

    /// <summary>Forgets an open step that will not finish (the backward pass threw); its count does not advance.</summary>
    internal void AbandonStep() => _stepParameters = null;

    /// <summary>
    /// Updates one parameter: hands the optimizer's <see cref="IUpdateRule"/> and the parameter's slots to
    /// <paramref name="pass"/>. <paramref name="step"/> counts from 1 (Adam's bias correction uses it).
    /// </summary>
    protected abstract void Update<TPass>(ref TPass pass, Parameter parameter, float[][] slots, float learningRate, long step)
        where TPass : struct, IUpdatePass, allows ref struct;

    /// <summary>The value a slot starts at (Adagrad's accumulator starts at 0.1, the rest at 0).</summary>
    protected virtual float InitialSlotValue(int slot) => 0f;

    /// <summary>The state of every slot of every parameter, named <c>optimizer.SLOT.PARAMETER</c>, for checkpoints.</summary>
    public IEnumerable<(string Name, Parameter Parameter, float[] Values)> State(IReadOnlyList<Parameter> parameters)
    {
        Bind(parameters);
        for (int i = 0; i < parameters.Count; i++)
            for (int s = 0; s < SlotNames.Count; s++)
                yield return ($"optimizer.{SlotNames[s]}.{parameters[i].Name}", parameters[i], _slots[i][s]);
    }

    /// <summary>Forgets the state and the step count, as a fresh optimizer.</summary>
    public void Reset()
    {
        _boundNames = [];
        _boundLengths = [];
        _slots = [];
        _updatedInGemm = [];
        _stepParameters = null;
        Iterations = 0;
    }

    private void Bind(IReadOnlyList<Parameter> parameters)
    {
        if (_slots.Length == parameters.Count)
        {
            for (int i = 0; i < parameters.Count; i++)
                if (parameters[i].Length != _boundLengths[i] || parameters[i].Name != _boundNames[i])
                    throw Mismatch(parameters);
            return;
        }
        if (_slots.Length != 0) throw Mismatch(parameters);
        _boundNames = parameters.Select(p => p.Name).ToArray();
        _updatedInGemm = new bool[parameters.Count];
        _boundLengths = parameters.Select(p => p.Length).ToArray();
        _slots = parameters.Select(p => Enumerable.Range(0, SlotNames.Count).Select(s =>
        {
            var slot = new float[p.Length];
            Array.Fill(slot, InitialSlotValue(s));
            return slot;
        }).ToArray()).ToArray();
    }

    private InvalidOperationException Mismatch(IReadOnlyList<Parameter> parameters) => new(
        $"{Name} holds state for the parameters ({string.Join(", ", _boundNames)}) but was asked to update " +
        $"({string.Join(", ", parameters.Select(p => p.Name))}); use one optimizer per model, or call Reset().");

    public override string ToString() => $"{Name}(learning rate {LearningRate})";
}
