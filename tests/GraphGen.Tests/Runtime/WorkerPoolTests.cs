using GraphGen.Cpu;
using Xunit;

namespace GraphGen.Tests.Runtime;

public class WorkerPoolTests
{
    private sealed class CountingWork : IParallelWork
    {
        public int[] Runs = new int[64];
        public void Execute(int part)
        {
            Interlocked.Increment(ref Runs[part]);
            Thread.SpinWait(part * 50 % 700); // uneven parts, so helpers finish at different times
        }
    }

    [Fact]
    public void EveryPartRunsExactlyOnceAcrossJobsOfChangingSize()
    {
        var pool = new WorkerPool(8); // more threads than this machine's cores: helpers arrive late
        var work = new CountingWork();
        for (int job = 0; job < 3000; job++)
        {
            int parts = 1 + job * 7 % 20;
            Array.Clear(work.Runs);
            pool.Run(work, parts);
            for (int p = 0; p < work.Runs.Length; p++)
                Assert.True(work.Runs[p] == (p < parts ? 1 : 0), $"job {job}: part {p} of {parts} ran {work.Runs[p]} times");
        }
    }

    private sealed class NestingWork(WorkerPool pool) : IParallelWork
    {
        public readonly CountingWork[] Inner = [new(), new(), new(), new()];
        public readonly int[] Runs = new int[4];
        public void Execute(int part)
        {
            Interlocked.Increment(ref Runs[part]);
            pool.Run(Inner[part], 5); // a part starting a job of its own, on whichever thread claimed it
        }
    }

    [Fact]
    public async Task APartThatRunsAJobOfItsOwnRunsItAloneAndEveryPartOnce()
    {
        // The caller holds the pool's gate while its job runs; when the gate was a Monitor (reentrant), a part the caller
        // ran itself took it again, replaced the running job and waited for it forever.
        var pool = new WorkerPool(4);
        for (int job = 0; job < 200; job++)
        {
            var work = new NestingWork(pool);
            var run = Task.Run(() => pool.Run(work, 4));
            var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.True(finished == run, $"job {job} did not finish");
            await run;
            for (int p = 0; p < 4; p++)
            {
                Assert.Equal(1, work.Runs[p]);
                for (int q = 0; q < work.Inner[p].Runs.Length; q++)
                    Assert.True(work.Inner[p].Runs[q] == (q < 5 ? 1 : 0), $"job {job}: inner job {p}, part {q} ran {work.Inner[p].Runs[q]} times");
            }
        }
    }

    [Fact]
    public void HelpersThatFellAsleepBetweenJobsAreWokenForTheNext()
    {
        // Pauses longer than the spin time send every helper to its semaphore; each job must still run every part once,
        // whether a helper is blocked, about to block, or still polling when the job is published.
        var pool = new WorkerPool(4);
        var work = new CountingWork();
        var pause = WorkerPool.SpinTime * 3;
        for (int job = 0; job < 60; job++)
        {
            int parts = 2 + job % 7;
            Array.Clear(work.Runs);
            pool.Run(work, parts);
            for (int p = 0; p < work.Runs.Length; p++)
                Assert.True(work.Runs[p] == (p < parts ? 1 : 0), $"job {job}: part {p} of {parts} ran {work.Runs[p]} times");
            // Alternate pauses around the spin time, so publishing races a helper's last look before it blocks.
            var wait = job % 3 == 0 ? pause : job % 3 == 1 ? WorkerPool.SpinTime : TimeSpan.Zero;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < wait) Thread.SpinWait(50);
        }
    }
}
