namespace GraphGen.Tests.Runtime;

/// <summary>
/// Bytes a call allocates on the calling thread once warm. Warm means past tiered compilation: enough calls for
/// every method to be promoted, and time for the background JIT to install tier 1 — otherwise the runtime's own
/// call-counting bookkeeping shows up as a few stray bytes.
/// </summary>
internal static class AllocationProbe
{
    public static long BytesAllocated(Action call, int measuredCalls = 5)
    {
        for (int i = 0; i < 40; i++) call();
        Thread.Sleep(300);
        for (int i = 0; i < 40; i++) call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < measuredCalls; i++) call();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
