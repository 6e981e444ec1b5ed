using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Streams.TwoProcess;

// The contracts of Samples/PingPong/Messages.cs, declared again: the wire carries field numbers, never type
// names, so identical numbers are all two processes need to understand each other.
[ProtoContract]
[ProtoInclude(10, typeof(Ping))]
[ProtoInclude(11, typeof(Pong))]
public abstract record PingPong
{
    [ProtoMember(1)] public required ActorRef<PingPong> From { get; init; }
    [ProtoMember(2)] public int Round { get; init; }
}

[ProtoContract]
public sealed record Ping : PingPong;

[ProtoContract]
public sealed record Pong : PingPong;

/// <summary>The two sides in two OS processes: the built PingPong sample is the server (or the whole demo), the test is the client.</summary>
public sealed partial class TwoProcessTests : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>Starting a .NET process with an actor system on a loaded 2-core machine.</summary>
    private static readonly TimeSpan ProcessBound = TimeSpan.FromSeconds(60);

    /// <summary>The whole demo: two process starts, 10 rounds, a 2-second burst, a clean stop.</summary>
    private static readonly TimeSpan DemoBound = TimeSpan.FromSeconds(150);

    private readonly ITestOutputHelper _output;

    public TwoProcessTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task ServerInAnotherProcess_HundredRounds_PongsArriveInOrder_KillingItTerminatesTheProxyAndClosesThePortal()
    {
        using var server = ChildProcess.Start(_output, "server", "server");
        var nexus = Nexus.Create(Sys);
        try
        {
            var port = await server.Port.WaitAsync(ProcessBound);
            var portal = await nexus.ConnectAsync(Conduit.Tcp("127.0.0.1", port)).WaitAsync(ProcessBound);
            var remote = await portal.LookupAsync<PingPong>("ping-pong").WaitAsync(Bounds.Long);
            var me = ActorRef<PingPong>.From(TestActor);

            var next = remote;
            for (var round = 1; round <= 100; round++)
            {
                next.Tell(new Ping { From = me, Round = round });
                var pong = Assert.IsType<Pong>(await ExpectMsgAsync<PingPong>(Bounds.Long));
                Assert.Equal(round, pong.Round);
                Assert.Equal(remote, pong.From); // the server's own reference comes back as the proxy we already hold
                next = pong.From;
            }

            Watch(remote.Untyped);
            server.Process.Kill();

            await ExpectTerminatedAsync(remote.Untyped, ProcessBound);
            var reason = await portal.Completion.WaitAsync(ProcessBound);
            Assert.True(
                reason.Kind is PortalCloseKind.ConduitFailed or PortalCloseKind.ConduitCompleted,
                $"the portal closed with {reason}, not for its conduit");
        }
        finally
        {
            server.Kill();
            await nexus.DisposeAsync();
        }
    }

    [Fact]
    public async Task Demo_RunsServerAndClientAsChildProcesses_PlaysTheRoundsAndExitsZero()
    {
        using var demo = ChildProcess.Start(_output, "demo");
        try
        {
            await demo.Process.WaitForExitAsync().WaitAsync(DemoBound);

            var output = demo.Output;
            Assert.True(demo.Process.ExitCode == 0, $"the demo exited with code {demo.Process.ExitCode}:\n{output}");
            Assert.Matches(@"\[server\] listening on 127\.0\.0\.1:\d+", output);
            for (var round = 1; round <= 10; round++)
            {
                Assert.Contains($"[client] client <- Pong round {round}\n", output);
                Assert.Contains($"[server] server <- Ping round {round} from ", output);
            }

            Assert.Matches(@"\[client\] client: burst of [\d,]+ round trips.* messages/s", output);
            Assert.Contains("[demo] the server exited with code 0", output);
        }
        finally
        {
            demo.Kill();
        }
    }

    /// <summary>The built sample, started with <c>dotnet PingPong.dll …</c>, its output collected line by line.</summary>
    private sealed partial class ChildProcess : IDisposable
    {
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ITestOutputHelper _log;
        private readonly string _label;

        private ChildProcess(ITestOutputHelper log, string label, Process process)
        {
            _log = log;
            _label = label;
            Process = process;
        }

        public Process Process { get; }

        /// <summary>The port from the first <c>listening on 127.0.0.1:PORT</c> line.</summary>
        public Task<int> Port => _port.Task;

        /// <summary>Everything printed so far, stdout and stderr, one line each.</summary>
        public string Output => string.Concat(_lines.Select(line => line + "\n"));

        public static ChildProcess Start(ITestOutputHelper log, string label, params string[] arguments)
        {
            var info = SamplePrograms.StartInfo("PingPong", arguments);
            info.RedirectStandardInput = true; // the server stops when it closes; we keep it open
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;

            var child = new ChildProcess(log, label, new Process { StartInfo = info });
            child.Process.OutputDataReceived += (_, line) => child.OnLine(line.Data);
            child.Process.ErrorDataReceived += (_, line) => child.OnLine(line.Data);
            child.Process.Start();
            child.Process.BeginOutputReadLine();
            child.Process.BeginErrorReadLine();
            return child;
        }

        /// <summary>Kills the process (and any process it started) by its own id, if it still runs.</summary>
        public void Kill()
        {
            try
            {
                if (!Process.HasExited)
                {
                    Process.Kill(entireProcessTree: true);
                    Process.WaitForExit(TimeSpan.FromSeconds(10));
                }
            }
            catch (InvalidOperationException)
            {
                // it exited meanwhile
            }
        }

        public void Dispose()
        {
            Kill();
            Process.Dispose();
        }

        private void OnLine(string? line)
        {
            if (line is null)
            {
                _port.TrySetException(new InvalidOperationException($"the {_label} process closed its output before printing a port:\n{Output}"));
                return;
            }

            _lines.Enqueue(line);
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                _port.TrySetResult(int.Parse(match.Groups[1].Value));
            }

            try
            {
                _log.WriteLine($"[{_label}] {line}");
            }
            catch (InvalidOperationException)
            {
                // the test has finished; xunit no longer takes output
            }
        }

        [GeneratedRegex(@"^listening on 127\.0\.0\.1:(\d+)$")]
        private static partial Regex ListeningLine();
    }
}
