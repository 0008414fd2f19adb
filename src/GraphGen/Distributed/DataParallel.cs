using System.Diagnostics;

namespace GraphGen.Distributed;

/// <summary>
/// Data-parallel training over the processes of an MPI job (Keras's MultiWorkerMirroredStrategy, PyTorch's
/// DistributedDataParallel): start the program with <c>mpirun -np N</c>, call <see cref="Start"/> in every process and
/// set the model's <see cref="Training.CompiledModel.Distribution"/>. <c>Fit</c> then gives each rank its shard of
/// every global batch, sums the gradients over the ranks (one allreduce of one flat buffer per step) and applies the
/// same update on every rank, so the weights stay identical; <c>Evaluate</c> and <c>Predict</c> shard their rows and
/// combine the results. Rank 0 alone prints progress and writes checkpoints. Open MPI is loaded here, on first use: a
/// program that never starts a strategy never maps it.
/// </summary>
/// <remarks>
/// A rank that stops answering would leave the others waiting in the allreduce forever; a watchdog ends the job
/// instead once a step has waited <see cref="WatchdogTimeout"/>: rank 0 names the ranks that did not arrive and the
/// step, then calls MPI_Abort. A rank that dies ends the job through mpirun within about a second. Open MPI has no
/// fault tolerance: recovery is a new mpirun that loads the last checkpoint (<c>LoadCheckpoint</c>, then
/// <c>Fit(initialEpoch: …)</c>).
/// </remarks>
public sealed unsafe class DataParallel : IDisposable
{
    private const int ArrivalTag = 1701;
    private const int WatchdogExitCode = 75;
    private static DataParallel? s_current;
    private bool _disposed;
    private long[] _arrivals = [];
    private nint[] _arrivalRequests = [];

    private DataParallel(int rank, int size, TimeSpan watchdogTimeout)
    {
        Rank = rank;
        Size = size;
        WatchdogTimeout = watchdogTimeout;
    }

    /// <summary>
    /// Joins the MPI job this process was launched in (MPI_Init; without mpirun, a job of one rank). One strategy per
    /// process: a second call returns the same one until it is disposed.
    /// </summary>
    /// <param name="watchdogTimeout">How long a step may wait for the other ranks before the job is ended (default 5 minutes).</param>
    public static DataParallel Start(TimeSpan? watchdogTimeout = null)
    {
        if (s_current is { } current) return current;
        var timeout = watchdogTimeout ?? TimeSpan.FromMinutes(5);
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(watchdogTimeout), timeout, "The watchdog timeout must be positive.");
        Mpi.Initialize();
        Mpi.Check(Mpi.MPI_Finalized(out int finalized), "MPI_Finalized");
        if (finalized != 0) throw new InvalidOperationException("MPI was finalised in this process (a DataParallel was disposed); MPI cannot start twice.");
        Mpi.Check(Mpi.MPI_Comm_rank(Mpi.CommWorld, out int rank), "MPI_Comm_rank");
        Mpi.Check(Mpi.MPI_Comm_size(Mpi.CommWorld, out int size), "MPI_Comm_size");
        return s_current = new DataParallel(rank, size, timeout);
    }

    /// <summary>Whether mpirun (Open MPI) launched this process: it sets OMPI_COMM_WORLD_SIZE. Reads the environment only.</summary>
    public static bool LaunchedByMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null;

    /// <summary>This process's rank, 0 … <see cref="Size"/> − 1.</summary>
    public int Rank { get; }
    /// <summary>The number of processes in the job.</summary>
    public int Size { get; }
    /// <summary>Rank 0: the one that prints, saves and reports.</summary>
    public bool IsRoot => Rank == 0;
    /// <summary>How long one step may wait for the other ranks before the watchdog ends the job (default 5 minutes).</summary>
    public TimeSpan WatchdogTimeout { get; set; }
    /// <summary>Time spent in the gradient allreduce (waiting for the slowest rank included) since the strategy started.</summary>
    public TimeSpan AllreduceTime { get; private set; }
    /// <summary>Gradient allreduces run since the strategy started.</summary>
    public long Allreduces { get; private set; }

    /// <summary>Sums <paramref name="values"/> element-wise over every rank, in place; every rank gets the same sums.</summary>
    public void AllreduceSum(Span<float> values)
    {
        CheckOpen();
        fixed (float* p = values) Mpi.Check(Mpi.MPI_Allreduce((void*)Mpi.InPlace, p, values.Length, Mpi.Float, Mpi.OpSum, Mpi.CommWorld), "MPI_Allreduce");
    }

    /// <summary>Sums <paramref name="values"/> element-wise over every rank, in place.</summary>
    public void AllreduceSum(Span<double> values)
    {
        CheckOpen();
        fixed (double* p = values) Mpi.Check(Mpi.MPI_Allreduce((void*)Mpi.InPlace, p, values.Length, Mpi.Double, Mpi.OpSum, Mpi.CommWorld), "MPI_Allreduce");
    }

    /// <summary>Copies rank 0's <paramref name="values"/> to every rank.</summary>
    public void Broadcast(Span<float> values)
    {
        CheckOpen();
        fixed (float* p = values) Mpi.Check(Mpi.MPI_Bcast(p, values.Length, Mpi.Float, 0, Mpi.CommWorld), "MPI_Bcast");
    }

    /// <summary>Every rank's <paramref name="mine"/> one after another in rank order, on every rank.</summary>
    internal void AllGather(ReadOnlySpan<float> mine, Span<float> all, int[] counts)
    {
        CheckOpen();
        var displacements = new int[Size];
        for (int r = 1; r < Size; r++) displacements[r] = displacements[r - 1] + counts[r - 1];
        fixed (float* send = mine) fixed (float* receive = all) fixed (int* c = counts) fixed (int* d = displacements)
            Mpi.Check(Mpi.MPI_Allgatherv(send, mine.Length, Mpi.Float, receive, c, d, Mpi.Float, Mpi.CommWorld), "MPI_Allgatherv");
    }

    /// <summary>The rows [Start, Start + Count) of <paramref name="rows"/> that this rank takes: near-equal contiguous shards in rank order.</summary>
    internal (int Start, int Count) Shard(int rows) => ShardOf(rows, Rank);

    internal (int Start, int Count) ShardOf(int rows, int rank)
    {
        int start = (int)((long)rows * rank / Size), end = (int)((long)rows * (rank + 1) / Size);
        return (start, end - start);
    }

    /// <summary>
    /// The gradient allreduce of one training step, under the watchdog: a non-blocking sum polled until it completes,
    /// beside an arrival message from every rank to rank 0, so that on a timeout rank 0 can name who never came.
    /// </summary>
    internal void SumGradients(Span<float> values, long step, int epoch, int batch)
    {
        CheckOpen();
        var clock = Stopwatch.StartNew();
        PostArrivals(step);
        nint request;
        fixed (float* p = values)
        {
            Mpi.Check(Mpi.MPI_Iallreduce((void*)Mpi.InPlace, p, values.Length, Mpi.Float, Mpi.OpSum, Mpi.CommWorld, out request), "MPI_Iallreduce");
            // Rank 0 reports first; the others wait a little longer so its message (naming the missing ranks) is the one seen.
            var limit = IsRoot ? WatchdogTimeout : WatchdogTimeout + TimeSpan.FromSeconds(Math.Min(5, WatchdogTimeout.TotalSeconds));
            var spin = new SpinWait();
            while (true)
            {
                Mpi.Check(Mpi.MPI_Test(ref request, out int done, 0), "MPI_Test");
                if (done != 0) break;
                if (clock.Elapsed > limit) Stalled(step, epoch, batch, clock.Elapsed);
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }
        CompleteArrivals(step);
        AllreduceTime += clock.Elapsed;
        Allreduces++;
    }

    private void PostArrivals(long step)
    {
        if (Size == 1) return;
        // Pinned: a receive posted here writes into the array after this method returns.
        if (_arrivalRequests.Length != Size) (_arrivals, _arrivalRequests) = (GC.AllocateArray<long>(Size, pinned: true), new nint[Size]);
        fixed (long* a = _arrivals)
        {
            if (IsRoot)
            {
                for (int r = 1; r < Size; r++)
                    Mpi.Check(Mpi.MPI_Irecv(a + r, 1, Mpi.Long, r, ArrivalTag, Mpi.CommWorld, out _arrivalRequests[r]), "MPI_Irecv");
            }
            else
            {
                a[0] = step;
                Mpi.Check(Mpi.MPI_Isend(a, 1, Mpi.Long, 0, ArrivalTag, Mpi.CommWorld, out _arrivalRequests[0]), "MPI_Isend");
            }
        }
    }

    private void CompleteArrivals(long step)
    {
        if (Size == 1) return;
        if (!IsRoot)
        {
            Mpi.Check(Mpi.MPI_Wait(ref _arrivalRequests[0], 0), "MPI_Wait");
            return;
        }
        for (int r = 1; r < Size; r++)
        {
            Mpi.Check(Mpi.MPI_Wait(ref _arrivalRequests[r], 0), "MPI_Wait");
            if (_arrivals[r] != step)
                throw new MpiException($"Rank {r} is at training step {_arrivals[r]} but rank 0 at step {step}: the ranks must run the same Fit (same data size, batch size and epochs).");
        }
    }

    private void Stalled(long step, int epoch, int batch, TimeSpan waited)
    {
        string where = $"training step {step} (epoch {epoch}, batch {batch + 1})";
        string message;
        if (IsRoot)
        {
            var missing = new List<int>();
            for (int r = 1; r < Size; r++)
            {
                Mpi.Check(Mpi.MPI_Test(ref _arrivalRequests[r], out int arrived, 0), "MPI_Test");
                if (arrived == 0) missing.Add(r);
            }
            message = missing.Count > 0
                ? $"GraphGen watchdog: rank {string.Join(", rank ", missing)} did not reach the gradient allreduce of {where} within {waited.TotalSeconds:F0} s (WatchdogTimeout {WatchdogTimeout.TotalSeconds:F0} s); ending the job."
                : $"GraphGen watchdog: every rank reached the gradient allreduce of {where}, but it did not complete within {waited.TotalSeconds:F0} s; ending the job.";
        }
        else message = $"GraphGen watchdog: rank {Rank} waited {waited.TotalSeconds:F0} s in the gradient allreduce of {where}; another rank stopped (rank 0 names it unless it is rank 0); ending the job.";
        Console.Error.WriteLine(message);
        Console.Error.Flush();
        Console.Out.Flush();
        Mpi.MPI_Abort(Mpi.CommWorld, WatchdogExitCode);
        Environment.Exit(WatchdogExitCode); // MPI_Abort does not return; this is for an MPI that lets it
    }

    private void CheckOpen() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Leaves the job (MPI_Finalize); MPI cannot start again in this process.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        s_current = null;
        Mpi.Check(Mpi.MPI_Finalize(), "MPI_Finalize");
    }

    public override string ToString() => $"DataParallel(rank {Rank} of {Size})";
}
