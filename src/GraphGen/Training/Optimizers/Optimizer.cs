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
    // The open step: its parameters and learning rate.
    private IReadOnlyList<Parameter>? _stepParameters;
    private float _stepRate;

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
    /// Opens a step over <paramref name="parameters"/>: binds their slots and fixes its learning rate and number before
    /// the step's kernels run, so a learning rate that is not a finite number ≥ 0 throws with nothing computed;
    /// <see cref="EndStep"/> then applies it.
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
    }

    /// <summary>Updates every parameter of the open step, and counts the step.</summary>
    internal void EndStep()
    {
        var parameters = _stepParameters ?? throw new InvalidOperationException($"{Name}: no step is open.");
        var pass = new LoopPass();
        // An indexed loop: foreach over the interface would allocate an enumerator every step.
        for (int i = 0; i < parameters.Count; i++) Update(ref pass, parameters[i], _slots[i], _stepRate, Iterations + 1);
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
