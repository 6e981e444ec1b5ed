using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Streams.Transmaterialization;

/// <summary>
/// A message type with a member that cannot cross a portal is refused where the user names it (publishing an actor
/// that accepts it, looking one up), not later, message by message.
/// </summary>
public sealed class RefusedAtPublishTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private const string Naming = "Upload.Data is an Akka ISourceRef<Chunk>";
    private RemoteSide _server = null!;
    private Nexus _client = null!;
    private Portal _clientPortal = null!;
    private Portal _serverPortal = null!;

    public async Task InitializeAsync()
    {
        _server = RemoteSide.Create("refusing-server");
        _server.Nexus.Publish("echo", ActorRef<Ping>.From(CreateTestProbe(_server.System).Ref));
        _client = Nexus.Create(Sys);
        (_clientPortal, _serverPortal) = await InMemory.ConnectAsync(_client, _server.Nexus);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public void NexusPublish_StreamRefMember_ThrowsNamingTheMember()
    {
        var error = Assert.Throws<UnsupportedMessageTypeException>(() => _server.Nexus.Publish("upload", ActorRef<Upload>.From(TestActor)));

        Assert.StartsWith(Naming, error.Message);
    }

    [Fact]
    public void PortalPublish_StreamRefMember_ThrowsNamingTheMember()
    {
        var error = Assert.Throws<UnsupportedMessageTypeException>(() => _serverPortal.Publish("upload", ActorRef<Upload>.From(TestActor)));

        Assert.StartsWith(Naming, error.Message);
    }

    [Fact]
    public void AdmissionPublish_StreamRefMember_ThrowsNamingTheMember_BeforeAnyPortalOpens()
    {
        var error = Assert.Throws<UnsupportedMessageTypeException>(() => PortalAdmission.Accept().Publish("upload", ActorRef<Upload>.From(TestActor)));

        Assert.StartsWith(Naming, error.Message);
    }

    [Fact]
    public async Task Lookup_StreamRefMember_ThrowsNamingTheMember_BeforeSendingAnything()
    {
        var sent = _clientPortal.Counters.FramesOut;

        var error = await Assert.ThrowsAsync<UnsupportedMessageTypeException>(() => _clientPortal.LookupAsync<Upload>("echo"));

        Assert.StartsWith(Naming, error.Message);
        await _clientPortal.LookupAsync<Ping>("echo").WaitAsync(Bounds.Long); // frames leave in order: a refused lookup sent first would be counted by now
        Assert.Equal(sent + 1, _clientPortal.Counters.FramesOut);
    }
}
