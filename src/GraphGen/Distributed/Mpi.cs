using System.Runtime.InteropServices;

namespace GraphGen.Distributed;

/// <summary>
/// The few Open MPI calls data-parallel training needs, bound straight to <c>libmpi.so.40</c> (Open MPI 4.x's ABI).
/// Open MPI's handles are pointers to exported globals (<c>MPI_COMM_WORLD</c> is <c>&amp;ompi_mpi_comm_world</c>), read
/// with <see cref="NativeLibrary.GetExport"/> once the library is loaded. Nothing here runs until <see cref="Load"/>:
/// a single-process run never maps libmpi. Errors come back as codes (MPI_ERRORS_RETURN on the world communicator),
/// turned into an <see cref="MpiException"/> naming the call.
/// </summary>
internal static unsafe partial class Mpi
{
    private const string Library = "libmpi.so.40";
    internal const int ThreadSerialized = 2; // MPI_THREAD_SERIALIZED in Open MPI's mpi.h
    internal static readonly nint InPlace = 1; // MPI_IN_PLACE is (void*)1 in Open MPI

    private static nint s_library;
    internal static nint CommWorld { get; private set; }
    internal static nint Float { get; private set; }
    internal static nint Double { get; private set; }
    internal static nint Long { get; private set; }
    internal static nint OpSum { get; private set; }
    private static nint s_errorsReturn;

    /// <summary>Maps libmpi and reads its predefined handles; a clear error when Open MPI is not installed.</summary>
    /// <param name="library">The library to map: libmpi.so.40 (tests name a missing one to see the error).</param>
    internal static void Load(string library = Library)
    {
        if (s_library != 0) return;
        if (!NativeLibrary.TryLoad(library, out var handle))
            throw new DllNotFoundException($"Distributed training needs Open MPI 4.x ({library}), which is not installed here. On Debian or Ubuntu: " +
                "apt-get install openmpi-bin libopenmpi-dev (the library and mpirun); then launch the program with mpirun -np N.");
        if (library != Library) throw new ArgumentException($"The binding is for {Library}.", nameof(library));
        CommWorld = Export(handle, "ompi_mpi_comm_world");
        Float = Export(handle, "ompi_mpi_float");
        Double = Export(handle, "ompi_mpi_double");
        Long = Export(handle, "ompi_mpi_long");
        OpSum = Export(handle, "ompi_mpi_op_sum");
        s_errorsReturn = Export(handle, "ompi_mpi_errors_return");
        s_library = handle;
    }

    private static nint Export(nint library, string name) => NativeLibrary.TryGetExport(library, name, out var address) ? address
        : throw new EntryPointNotFoundException($"{Library} has no '{name}': it is not Open MPI 4.x (MPICH and others lay out their handles differently).");

    /// <summary>MPI_Init_thread (serialized: any one thread at a time) unless already initialised; errors then return as codes.</summary>
    internal static void Initialize()
    {
        Load();
        Check(MPI_Initialized(out int initialized), "MPI_Initialized");
        if (initialized == 0)
        {
            Check(MPI_Init_thread(0, 0, ThreadSerialized, out int provided), "MPI_Init_thread");
            if (provided < ThreadSerialized) throw new MpiException($"MPI_Init_thread gave thread level {provided}; training needs MPI_THREAD_SERIALIZED ({ThreadSerialized}).");
        }
        Check(MPI_Comm_set_errhandler(CommWorld, s_errorsReturn), "MPI_Comm_set_errhandler");
    }

    internal static void Check(int code, string call)
    {
        if (code == 0) return;
        var text = new byte[256];
        int length = 0;
        fixed (byte* buffer = text)
            if (MPI_Error_string(code, buffer, &length) != 0) length = 0;
        string message = length > 0 ? System.Text.Encoding.ASCII.GetString(text, 0, length) : "unknown error";
        throw new MpiException($"{call} failed with MPI error {code}: {message}.");
    }

    [LibraryImport(Library)] internal static partial int MPI_Initialized(out int flag);
    [LibraryImport(Library)] internal static partial int MPI_Finalized(out int flag);
    [LibraryImport(Library)] internal static partial int MPI_Init_thread(nint argc, nint argv, int required, out int provided);
    [LibraryImport(Library)] internal static partial int MPI_Finalize();
    [LibraryImport(Library)] internal static partial int MPI_Abort(nint comm, int errorCode);
    [LibraryImport(Library)] internal static partial int MPI_Comm_rank(nint comm, out int rank);
    [LibraryImport(Library)] internal static partial int MPI_Comm_size(nint comm, out int size);
    [LibraryImport(Library)] internal static partial int MPI_Comm_set_errhandler(nint comm, nint handler);
    [LibraryImport(Library)] internal static partial int MPI_Error_string(int code, byte* text, int* length);
    [LibraryImport(Library)] internal static partial int MPI_Allreduce(void* send, void* receive, int count, nint type, nint op, nint comm);
    [LibraryImport(Library)] internal static partial int MPI_Iallreduce(void* send, void* receive, int count, nint type, nint op, nint comm, out nint request);
    [LibraryImport(Library)] internal static partial int MPI_Bcast(void* buffer, int count, nint type, int root, nint comm);
    [LibraryImport(Library)] internal static partial int MPI_Allgatherv(void* send, int sendCount, nint sendType, void* receive, int* counts, int* displacements, nint receiveType, nint comm);
    [LibraryImport(Library)] internal static partial int MPI_Isend(void* buffer, int count, nint type, int destination, int tag, nint comm, out nint request);
    [LibraryImport(Library)] internal static partial int MPI_Irecv(void* buffer, int count, nint type, int source, int tag, nint comm, out nint request);
    // The status argument is MPI_STATUS_IGNORE, a null pointer in Open MPI.
    [LibraryImport(Library)] internal static partial int MPI_Test(ref nint request, out int flag, nint status);
    [LibraryImport(Library)] internal static partial int MPI_Wait(ref nint request, nint status);
    [LibraryImport(Library)] internal static partial int MPI_Cancel(ref nint request);
    [LibraryImport(Library)] internal static partial int MPI_Request_free(ref nint request);
}

/// <summary>An MPI call failed; the message names the call and MPI's error text.</summary>
public sealed class MpiException(string message) : Exception(message);
