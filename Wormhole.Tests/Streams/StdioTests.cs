using System.Collections.Concurrent;
using System.Diagnostics;
using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Streams.Stdio;

// The contracts of Samples/StdioChild/Messages.cs, declared again: only the field numbers have to agree.
[ProtoContract]
public sealed record EchoRequest
{
    [ProtoMember(1)] public string Text { get; init; } = "";
    [ProtoMember(2)] public ActorRef<EchoReply>? ReplyTo { get; init; }
    [ProtoMember(3)] public ReplyPort<EchoReply>? Reply { get; init; }
}

[ProtoContract]
public sealed record EchoReply
{
    [ProtoMember(1)] public string Text { get; init; } = "";
    [ProtoMember(2)] public int ProcessId { get; init; }
}

/// <summary>
/// <see cref="Conduit.ChildProcess"/> against the built StdioChild sample, which serves one portal over its own stdin
/// and stdout with <see cref="Conduit.Stdio"/>; and the argument checks of <see cref="Conduit.ChildProcess"/>.
/// </summary>
public sealed class StdioTests : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>Starting a .NET process with an actor system on a loaded 2-core machine.</summary>
    private static readonly TimeSpan ProcessBound = TimeSpan.FromSeconds(60);

    private readonly ITestOutputHelper _output;

    public StdioTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task ChildProcess_LookupTellWithAReferenceAndAsk_ThenKillingTheChildTerminatesTheProxyAndClosesThePortal()
    {
        using var child = StdioChild.Start(_output);
        var nexus = Nexus.Create(Sys);
        try
        {
            var portal = await nexus.ConnectAsync(Conduit.ChildProcess(child.Process)).WaitAsync(ProcessBound);
            var echo = await portal.LookupAsync<EchoRequest>("echo").WaitAsync(Bounds.Long);

            echo.Tell(new EchoRequest { Text = "told", ReplyTo = ActorRef<EchoReply>.From(TestActor) });
            var told = await ExpectMsgAsync<EchoReply>(Bounds.Long);
            var asked = await echo.Ask<EchoReply>(port => new EchoRequest { Text = "asked", Reply = port }, Bounds.Long);
            var akkaAsked = await echo.Ask<EchoReply>(new EchoRequest { Text = "akka-asked" }, Bounds.Long);

            Assert.Equal(new EchoReply { Text = "told", ProcessId = child.Process.Id }, told);
            Assert.Equal(new EchoReply { Text = "asked", ProcessId = child.Process.Id }, asked);
            Assert.Equal(new EchoReply { Text = "akka-asked", ProcessId = child.Process.Id }, akkaAsked);

            Watch(echo.Untyped);
            child.Process.Kill();

            await ExpectTerminatedAsync(echo.Untyped, ProcessBound);
            var reason = await portal.Completion.WaitAsync(ProcessBound);
            Assert.True(
                reason.Kind is PortalCloseKind.ConduitCompleted or PortalCloseKind.ConduitFailed,
                $"the portal closed with {reason}, not for its conduit");
        }
        finally
        {
            child.Kill();
            await nexus.DisposeAsync();
        }
    }

    [Fact]
    public async Task ChildProcess_ParentClosesThePortal_ChildSeesTheGoodbyeAndExitsZero()
    {
        using var child = StdioChild.Start(_output);
        var nexus = Nexus.Create(Sys);
        try
        {
            var portal = await nexus.ConnectAsync(Conduit.ChildProcess(child.Process)).WaitAsync(ProcessBound);
            await portal.LookupAsync<EchoRequest>("echo").WaitAsync(Bounds.Long);

            await portal.CloseAsync().WaitAsync(Bounds.Long);

            await child.Process.WaitForExitAsync().WaitAsync(ProcessBound);
            Assert.True(child.Process.ExitCode == 0, $"the child exited with code {child.Process.ExitCode}:\n{child.Errors}");
            Assert.Contains($"portal closed ({PortalCloseKind.ClosedByPeer}", child.Errors);
        }
        finally
        {
            child.Kill();
            await nexus.DisposeAsync();
        }
    }

    [Fact]
    public async Task TransportsDocExample_StartTheChildAndConnect_EchoThenTheChildExitsWhenThePortalCloses()
    {
        var dotnet = SamplePrograms.DotnetHost();
        var childDll = SamplePrograms.Dll("StdioChild");
        var nexus = Nexus.Create(Sys);
        var cancellationToken = new CancellationTokenSource(ProcessBound).Token;
        Process? child = null;
        try
        {
            // snippet: stdio-parent
            // The child's stdin and stdout carry the frames; its stderr (its logs) stays ours.
            var info = new ProcessStartInfo(dotnet) { RedirectStandardInput = true, RedirectStandardOutput = true };
            info.ArgumentList.Add(childDll);
            child = Process.Start(info)!;

            Portal portal = await nexus.ConnectAsync(Conduit.ChildProcess(child), cancellationToken);
            var echo = await portal.LookupAsync<EchoRequest>("echo", cancellationToken);
            // end snippet

            var reply = await echo.Ask<EchoReply>(port => new EchoRequest { Text = "doc", Reply = port }, Bounds.Long);
            Assert.Equal(child.Id, reply.ProcessId);
            await portal.CloseAsync().WaitAsync(Bounds.Long);
            await child.WaitForExitAsync(cancellationToken);
            Assert.Equal(0, child.ExitCode);
        }
        finally
        {
            if (child is { HasExited: false })
            {
                child.Kill(entireProcessTree: true);
            }

            child?.Dispose();
            await nexus.DisposeAsync();
        }
    }

    [Fact]
    public void ChildProcess_Null_ThrowsArgumentNullException() =>
        Assert.Throws<ArgumentNullException>("process", () => Conduit.ChildProcess(null!));

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void ChildProcess_StdinOrStdoutNotRedirected_ThrowsArgumentExceptionNamingBoth(bool redirectInput, bool redirectOutput)
    {
        using var process = new Process { StartInfo = { RedirectStandardInput = redirectInput, RedirectStandardOutput = redirectOutput } };

        var error = Assert.Throws<ArgumentException>("process", () => Conduit.ChildProcess(process));

        Assert.Contains("RedirectStandardInput and RedirectStandardOutput", error.Message);
    }

    [Fact]
    public void ChildProcess_NotStarted_ThrowsArgumentException()
    {
        using var process = new Process { StartInfo = { RedirectStandardInput = true, RedirectStandardOutput = true } };

        var error = Assert.Throws<ArgumentException>("process", () => Conduit.ChildProcess(process));

        Assert.Contains("not started", error.Message);
    }

    [Fact]
    public async Task ChildProcess_OutputAlreadyReadAsynchronously_ThrowsArgumentException()
    {
        var info = new ProcessStartInfo(SamplePrograms.DotnetHost(), "--version")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(info)!;
        try
        {
            process.BeginOutputReadLine();

            var error = Assert.Throws<ArgumentException>("process", () => Conduit.ChildProcess(process));

            Assert.Contains("asynchronously", error.Message);
        }
        finally
        {
            await process.WaitForExitAsync().WaitAsync(ProcessBound);
        }
    }

    /// <summary>The built StdioChild sample, started with <c>dotnet StdioChild.dll</c>; stdin and stdout are the conduit, stderr is collected.</summary>
    private sealed class StdioChild : IDisposable
    {
        private readonly ConcurrentQueue<string> _errors = new();
        private readonly ITestOutputHelper _log;

        private StdioChild(ITestOutputHelper log, Process process)
        {
            _log = log;
            Process = process;
        }

        public Process Process { get; }

        /// <summary>Everything the child printed to stderr so far, one line each.</summary>
        public string Errors => string.Concat(_errors.Select(line => line + "\n"));

        public static StdioChild Start(ITestOutputHelper log)
        {
            var info = SamplePrograms.StartInfo("StdioChild");
            info.RedirectStandardInput = true;
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            var child = new StdioChild(log, new Process { StartInfo = info });
            child.Process.ErrorDataReceived += (_, line) => child.OnErrorLine(line.Data);
            child.Process.Start();
            child.Process.BeginErrorReadLine();
            return child;
        }

        /// <summary>Kills the process by its own id, if it still runs.</summary>
        public void Kill() => SamplePrograms.Kill(Process);

        public void Dispose()
        {
            Kill();
            Process.Dispose();
        }

        private void OnErrorLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            _errors.Enqueue(line);
            try
            {
                _log.WriteLine($"[stdio-child] {line}");
            }
            catch (InvalidOperationException)
            {
                // the test has finished; xunit no longer takes output
            }
        }
    }
}
