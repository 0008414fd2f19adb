using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Autodiff;

/// <summary>Which node holds d loss / d parameter (for every trainable parameter; state that is not trainable has none).</summary>
internal sealed record GradientBinding(int Parameter, int Gradient);

/// <summary>The forward graph with the backward nodes appended (still topologically ordered).</summary>
internal sealed record TrainingGraph(ModelGraph Forward, EquatableArray<Node> Nodes, EquatableArray<GradientBinding> Gradients);
