namespace Wormhole.Streams;

/// <summary>Thrown by <see cref="Portal.LookupAsync{T}"/> when the peer published nothing under the name.</summary>
public sealed class PublicationNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="name">The name looked up.</param>
    public PublicationNotFoundException(string name)
        : base($"The peer published no actor named '{name}' (neither on this portal nor nexus-wide).") => Name = name;

    /// <summary>The name looked up.</summary>
    public string Name { get; }
}
