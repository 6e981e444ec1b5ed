using Akka.Actor;
using Wormhole.Benchmarks.Harness;

namespace Wormhole.Benchmarks.Servers;

/// <summary>
/// <c>serve akka [--protobuf]</c>: an Akka.Remote actor system (default DotNetty TCP transport) with the same actors at
/// <c>/user/sink</c> and <c>/user/echo</c>; with <c>--protobuf</c>, the messages go through <see cref="ProtobufNetSerializer"/>
/// (<see cref="Config.RemoteProtobuf"/>) instead of Akka's default serializer.
/// </summary>
internal static class AkkaRemoteServer
{
    public static async Task<int> RunAsync(bool protobuf)
    {
        var system = ActorSystem.Create("server", protobuf ? Config.RemoteProtobuf : Config.Remote);
        system.ActorOf(SinkActor.Props(), "sink");
        system.ActorOf(EchoActor.Props(), "echo");
        var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        ServerConsole.Listening($"{address.Host}:{address.Port}");
        await ServerConsole.RunAsync();
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        return 0;
    }
}
