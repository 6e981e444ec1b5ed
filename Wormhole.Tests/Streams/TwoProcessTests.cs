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
    [ProtoMember(3)] public bool Burst { get; init; }
}

[ProtoContract]
public sealed record Ping : PingPong;

[ProtoContract]
public sealed record Pong : PingPong;

/// <summary>The two sides in two OS processes: the built PingPong sample is the server (or the whole demo), the test is the client.</summary>
public sealed class TwoProcessTests : Akka.TestKit.Xunit2.TestKit
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
        using var server = SampleProcess.Start(_output, "server", "PingPong", "server");
        var nexus = Nexus.Create(Sys);
        try
        {
            var port = int.Parse((await server.WaitForLineAsync(@"^listening on 127\.0\.0\.1:(\d+)$", ProcessBound)).Groups[1].Value);
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
        using var demo = SampleProcess.Start(_output, "demo", "PingPong");
        try
        {
            await demo.Process.WaitForExitAsync().WaitAsync(DemoBound);

            var output = demo.Output;
            Assert.True(demo.Process.ExitCode == 0, $"the demo exited with code {demo.Process.ExitCode}:\n{output}");
            Assert.Matches(@"\[server\] listening on 127\.0\.0\.1:\d+", output);
            for (var round = 1; round <= 10; round++)
            {
                Assert.Contains($"[client] client <- Pong round {round}\n", output);
                Assert.Single(Regex.Matches(output, $@"\[server\] server <- Ping round {round} from ")); // the burst is not printed message by message
            }

            Assert.Matches(@"\[client\] client: burst of [\d,]+ round trips.* messages/s", output);
            Assert.Matches(@"\[server\] server: … [\d,]+ more messages answered, not printed", output);
            Assert.Contains("[demo] the server exited with code 0", output);
        }
        finally
        {
            demo.Kill();
        }
    }
}
