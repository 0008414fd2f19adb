using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/GraphGen.Kernels -- --filter '*'   (or '*StepGemms*', '*StepUpdates*')
BenchmarkSwitcher.FromAssembly(typeof(GraphGen.Kernels.StepGemms).Assembly).Run(args);
