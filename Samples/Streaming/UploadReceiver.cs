using System.Security.Cryptography;
using Akka.Actor;
using Wormhole.Reactive;
using Wormhole.Streams;

namespace StreamingSample;

/// <summary>
/// The server's upload endpoint, published as <see cref="PublishedName"/>: stores each <see cref="Upload"/>'s chunks in
/// a file of its own under the server's folder and answers with the byte count and SHA-256 of what it stored.
/// </summary>
internal static class UploadReceiver
{
    public const string PublishedName = "uploads";

    /// <summary>The largest upload stored; past it the server stops reading, which cancels the client's producer.</summary>
    public const long MaxUploadBytes = 1L << 30;

    public static ActorRef<Upload> Spawn(ActorSystem system, string folder) =>
        FnActor.Spawn<Upload>(system, async ctx =>
        {
            var uploads = 0;
            await foreach (var upload in ctx.Messages)
            {
                // Each upload on its own task: a slow one holds up no other.
                _ = ReceiveAsync(upload, Path.Combine(folder, $"upload-{++uploads}.bin"));
            }
        }, name: PublishedName);

    private static async Task ReceiveAsync(Upload upload, string path)
    {
        // The name comes from the peer: printed (shortened, without control characters), never used as a path.
        var name = new string([.. upload.Name.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        Console.WriteLine($"server: upload \"{name}\": receiving into {path}");
        try
        {
            var data = upload.Data ?? throw new InvalidDataException("the upload has no data stream");
            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var bytes = 0L;
            var chunks = 0;
            await using (var file = File.Create(path))
            {
                await foreach (var chunk in data)
                {
                    bytes += chunk.Bytes.Length;
                    if (bytes > MaxUploadBytes)
                    {
                        throw new InvalidDataException($"the upload exceeds the {MaxUploadBytes:N0}-byte limit"); // leaving the loop cancels the stream
                    }

                    sha256.AppendData(chunk.Bytes);
                    await file.WriteAsync(chunk.Bytes);
                    chunks++;
                }
            }

            var hash = Convert.ToHexStringLower(sha256.GetHashAndReset());
            Console.WriteLine($"server: upload \"{name}\": stored {bytes:N0} bytes from {chunks:N0} chunks, SHA-256 {hash}");
            upload.Done?.Reply(new UploadResult { Bytes = bytes, Sha256 = hash });
        }
        catch (Exception e) when (e is InvalidDataException or IOException or RemoteStreamException or PortalClosedException or ReplyPortException)
        {
            Console.WriteLine($"server: upload \"{name}\" failed: {e.Message}");
            File.Delete(path);
            try
            {
                upload.Done?.Fail(new InvalidDataException($"upload failed: {e.Message}"));
            }
            catch (ReplyPortException)
            {
                // the client gave up or went away
            }
        }
    }
}
