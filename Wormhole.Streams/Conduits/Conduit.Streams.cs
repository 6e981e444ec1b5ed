using System.Diagnostics;
using System.Net.Sockets;

namespace Wormhole.Streams;

/// <summary>The byte-stream conduits: a Unix domain socket, this process's stdio, a child process's stdio.</summary>
public abstract partial class Conduit
{
    /// <summary>
    /// A Unix domain socket connection to a Wormhole listener (<see cref="Nexus.ListenUnixAsync(string, CancellationToken)"/>), frames prefixed by a
    /// 4-byte big-endian length, as over TCP.
    /// </summary>
    /// <param name="path">The listener's socket file; a relative path is resolved against the current folder now.</param>
    /// <returns>The conduit; each connect opens its own connection.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty, or too long for a socket address (about 100 bytes).</exception>
    /// <remarks>
    /// Emits when: a whole frame has arrived and downstream pulls; the socket is read on demand only, so a slow portal
    /// pushes back on the peer. Backpressures when: a write is in flight. Completes when: the peer closes the connection
    /// (the portal closes with <see cref="PortalCloseKind.ConduitCompleted"/>). Fails when: nothing listens at
    /// <paramref name="path"/> (connecting fails with <see cref="PortalClosedException"/>, <see cref="PortalCloseKind.ConduitFailed"/>),
    /// the socket fails, or a frame exceeds <see cref="NexusOptions.MaxFrameBytes"/>. The socket is closed when the portal closes.
    /// </remarks>
    public static Conduit UnixSocket(string path)
    {
        var fullPath = ValidUnixSocketPath(path);
        return new StreamConduit(cancellationToken => Streams.UnixSocket.ConnectAsync(fullPath, cancellationToken));
    }

    /// <summary>
    /// This process's standard input and output, for a child process that serves its parent (which connects with
    /// <see cref="ChildProcess(Process)"/>); frames prefixed by a 4-byte big-endian length. Connect it once.
    /// </summary>
    /// <returns>The conduit.</returns>
    /// <remarks>
    /// <para>
    /// Nothing else may write to standard output while the portal is open: one stray byte corrupts the framing and the
    /// parent closes the portal. Send logs to standard error (e.g. <c>Console.SetOut(Console.Error)</c> before anything
    /// logs; the conduit writes to the standard output handle directly, not through <see cref="Console.Out"/>).
    /// </para>
    /// <para>
    /// Emits when: a whole frame has arrived on standard input and downstream pulls. Backpressures when: a write to
    /// standard output is in flight. Completes when: standard input reaches its end (the parent closed it or exited);
    /// the portal closes with <see cref="PortalCloseKind.ConduitCompleted"/>. Fails when: reading or writing fails, or a
    /// frame exceeds <see cref="NexusOptions.MaxFrameBytes"/>. Reads of a console stream block a thread-pool thread;
    /// one still blocked when the portal closes is abandoned, so exit the process once <see cref="Portal.Completion"/> completes.
    /// </para>
    /// </remarks>
    public static Conduit Stdio() => new StreamConduit(_ => Task.FromResult(new DuplexStreams(Console.OpenStandardInput(), Console.OpenStandardOutput())));

    /// <summary>
    /// The parent's side of <see cref="Stdio"/>: frames go to the child's standard input and come from its standard
    /// output. Connect it once.
    /// </summary>
    /// <param name="process">
    /// The child, started with <see cref="ProcessStartInfo.RedirectStandardInput"/> and
    /// <see cref="ProcessStartInfo.RedirectStandardOutput"/> set, <see cref="ProcessStartInfo.UseShellExecute"/> off,
    /// and its standard output not read by anyone else (no <see cref="Process.BeginOutputReadLine"/>). Its standard
    /// error is free for its logs.
    /// </param>
    /// <returns>The conduit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="process"/> is null.</exception>
    /// <exception cref="ArgumentException">The process was not started, does not redirect both standard input and output, or its output is already read asynchronously.</exception>
    /// <remarks>
    /// Emits when: a whole frame has arrived from the child and downstream pulls. Backpressures when: a write to the
    /// child is in flight. Completes when: the child's standard output reaches its end (it exited or closed it); the portal
    /// closes with <see cref="PortalCloseKind.ConduitCompleted"/>. Fails when: reading or writing fails (the child died
    /// while we wrote), or a frame exceeds <see cref="NexusOptions.MaxFrameBytes"/>. When the portal closes, the child's
    /// standard input is closed, which ends a child serving <see cref="Stdio"/>; this does not kill or wait for the process.
    /// </remarks>
    public static Conduit ChildProcess(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (!process.StartInfo.RedirectStandardInput || !process.StartInfo.RedirectStandardOutput)
        {
            throw new ArgumentException(
                "The child process must be started with RedirectStandardInput and RedirectStandardOutput set: its standard input and output carry the frames.",
                nameof(process));
        }

        Stream toChild, fromChild;
        try
        {
            toChild = process.StandardInput.BaseStream;
            fromChild = process.StandardOutput.BaseStream;
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException(
                $"The child process's standard input and output are not available (not started yet, or its output is read asynchronously already): {e.Message}",
                nameof(process),
                e);
        }

        return StreamConduit.Over(fromChild, toChild);
    }

    /// <summary>The full path of a Unix domain socket, checked to fit a socket address.</summary>
    internal static string ValidUnixSocketPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        try
        {
            _ = new UnixDomainSocketEndPoint(fullPath);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentException($"The Unix domain socket path '{fullPath}' is too long for a socket address: {e.Message}", nameof(path), e);
        }

        return fullPath;
    }
}
