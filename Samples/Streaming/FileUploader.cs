using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Wormhole.Reactive;

namespace StreamingSample;

/// <summary>
/// The client's half of the upload: sends a file (<c>--file PATH</c>, or a generated one of <c>--mib</c> MiB) as a
/// stream of 64 KiB chunks, prints a progress bar as the chunks are read, and checks the server's byte count and
/// SHA-256 against its own.
/// </summary>
internal static class FileUploader
{
    private const int ChunkBytes = 64 * 1024;
    private const int BarWidth = 20;
    private static readonly TimeSpan UploadTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Uploads the file; true when the server stored exactly its bytes.</summary>
    public static async Task<bool> RunAsync(ActorRef<Upload> uploads, string? path, int mib)
    {
        var generated = path is null;
        path ??= await GenerateAsync(mib);
        try
        {
            var total = new FileInfo(path).Length;
            string hash;
            await using (var file = File.OpenRead(path))
            {
                hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
            }

            Console.WriteLine($"client: upload: sending {Path.GetFileName(path)}, {total:N0} bytes, SHA-256 {hash}, in {ChunkBytes / 1024} KiB chunks");
            var result = await uploads.Ask<UploadResult>(
                port => new Upload { Name = Path.GetFileName(path), Data = ReadChunks(path, total), Done = port },
                UploadTimeout);
            var same = result.Bytes == total && result.Sha256 == hash;
            Console.WriteLine($"client: upload: the server stored {result.Bytes:N0} bytes, SHA-256 {result.Sha256}: {(same ? "the hashes match" : "MISMATCH")}");
            return same;
        }
        finally
        {
            if (generated)
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>The file's bytes, a chunk at a time, read only when the portal pulls (the server's credit); prints the bar at each tenth.</summary>
    private static async IAsyncEnumerable<Chunk> ReadChunks(string path, long total, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true);
        var sent = 0L;
        var tenths = 0;
        while (true)
        {
            var buffer = new byte[ChunkBytes]; // a new array per chunk: the portal encodes it later, on its own thread
            var read = await file.ReadAtLeastAsync(buffer, ChunkBytes, throwOnEndOfStream: false, cancellationToken);
            if (read == 0)
            {
                yield break;
            }

            yield return new Chunk { Bytes = read == ChunkBytes ? buffer : buffer[..read] };
            sent += read;
            for (; tenths < 10 && sent * 10 >= total * (tenths + 1); tenths++)
            {
                var filled = (int)(sent * BarWidth / total);
                Console.WriteLine($"client: upload [{new string('#', filled)}{new string('.', BarWidth - filled)}] {sent / 1048576.0,5:0.0} of {total / 1048576.0:0.0} MiB");
            }
        }
    }

    /// <summary>A temporary file of <paramref name="mib"/> MiB of random bytes.</summary>
    private static async Task<string> GenerateAsync(int mib)
    {
        var path = Path.Combine(Path.GetTempPath(), $"wormhole-sample-{Guid.NewGuid():N}.bin");
        await using var file = File.Create(path);
        var block = new byte[1024 * 1024];
        for (var i = 0; i < mib; i++)
        {
            Random.Shared.NextBytes(block);
            await file.WriteAsync(block);
        }

        return path;
    }
}
