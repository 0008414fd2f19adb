namespace GraphGen.Cpu;

/// <summary>One piece of a parallel job; the parts of one job are independent.</summary>
internal interface IParallelWork
{
    void Execute(int part);
}

/// <summary>
/// Persistent worker threads, one per core beside the caller. A job is cut into parts; the caller takes parts
/// too, so a one-core machine needs no thread at all. Waking costs a semaphore release per helper, and nothing
/// is allocated per job. A job ends only when every part is done and every helper it woke has left the job,
/// so no helper ever sees two jobs. A second caller arriving while a job runs does its own job on its own
/// thread instead of queuing (callers never block each other).
/// </summary>
internal sealed class WorkerPool
{
    public static WorkerPool Shared { get; } = new(Environment.ProcessorCount);

    private readonly object _gate = new();
    private readonly SemaphoreSlim[] _wake;
    private readonly ManualResetEventSlim _done = new(false, spinCount: 2000);
    private IParallelWork? _work;
    private int _parts;
    private int _nextPart;
    // Parts not yet finished plus helpers not yet out of the job; the job is over at zero.
    private int _pending;

    public WorkerPool(int threads)
    {
        Threads = Math.Max(1, threads);
        _ = _done.WaitHandle; // created now, so a blocking wait never allocates during a job
        _wake = new SemaphoreSlim[Threads - 1];
        for (int i = 0; i < _wake.Length; i++)
        {
            _wake[i] = new SemaphoreSlim(0);
            int index = i;
            new Thread(() => HelperLoop(index)) { IsBackground = true, Name = $"GraphGen worker {i + 1}" }.Start();
        }
    }

    /// <summary>How many threads a job runs on at most (helpers plus the caller).</summary>
    public int Threads { get; }

    public void Run(IParallelWork work, int parts)
    {
        if (parts <= 1 || _wake.Length == 0 || !Monitor.TryEnter(_gate))
        {
            for (int p = 0; p < parts; p++) work.Execute(p);
            return;
        }
        try
        {
            int helpers = Math.Min(_wake.Length, parts - 1);
            _work = work;
            _parts = parts;
            _nextPart = 0;
            _pending = parts + helpers;
            _done.Reset();
            for (int i = 0; i < helpers; i++) _wake[i].Release(); // a full fence: helpers see the job set above
            Drain();
            _done.Wait();
        }
        finally
        {
            _work = null;
            Monitor.Exit(_gate);
        }
    }

    private void Drain()
    {
        int part;
        while ((part = Interlocked.Increment(ref _nextPart) - 1) < _parts)
        {
            _work!.Execute(part);
            Finish();
        }
    }

    private void Finish()
    {
        if (Interlocked.Decrement(ref _pending) == 0) _done.Set();
    }

    private void HelperLoop(int index)
    {
        while (true)
        {
            _wake[index].Wait();
            Drain();
            Finish();
        }
    }
}
