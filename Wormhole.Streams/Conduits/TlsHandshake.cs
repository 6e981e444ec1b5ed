using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Wormhole.Streams;

/// <summary>
/// TLS over a connected socket (<see cref="SslStream"/>): the client side of <see cref="TlsTcpConduit"/> and the server side
/// of a TLS <see cref="WormholeListener"/>. The <see cref="SslStream"/> is both halves of the <see cref="DuplexStreams"/>
/// (one read and one write at a time, which is what <see cref="ByteStreamFlow"/> does) and owns the socket.
/// </summary>
internal static class TlsHandshake
{
    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> over TCP, then authenticates the server within <paramref name="timeout"/>.</summary>
    /// <exception cref="IOException">The connection was refused, or the handshake failed or timed out; the message names TLS and the cause.</exception>
    public static async Task<DuplexStreams> ConnectAsync(string host, int port, SslClientAuthenticationOptions tls, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var plain = await TcpSocket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        var ssl = new SslStream(plain.Input, leaveInnerStreamOpen: false);
        try
        {
            await AuthenticateAsync(ct => ssl.AuthenticateAsClientAsync(tls, ct), $"{host}:{port}", timeout, cancellationToken).ConfigureAwait(false);
            return new DuplexStreams(ssl, ssl);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Authenticates this server to the client of <paramref name="accepted"/> within <paramref name="timeout"/>.</summary>
    /// <returns>The streams (they own the socket) and the client's certificate, if it gave one.</returns>
    /// <exception cref="IOException">The handshake failed or timed out (the socket is closed); the message names TLS and the cause.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the socket is closed).</exception>
    public static async Task<(DuplexStreams Streams, X509Certificate2? ClientCertificate)> AcceptAsync(Socket accepted, EndPoint peer, SslServerAuthenticationOptions tls, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(new NetworkStream(accepted, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await AuthenticateAsync(ct => ssl.AuthenticateAsServerAsync(tls, ct), peer.ToString() ?? "the client", timeout, cancellationToken).ConfigureAwait(false);
            var certificate = ssl.RemoteCertificate is null ? null : ssl.RemoteCertificate as X509Certificate2 ?? new X509Certificate2(ssl.RemoteCertificate);
            return (new DuplexStreams(ssl, ssl), certificate);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task AuthenticateAsync(Func<CancellationToken, Task> authenticate, string peer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await authenticate(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"TLS handshake with {peer} did not complete within the {timeout.TotalSeconds:0.###} s handshake timeout");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new IOException($"TLS handshake with {peer} failed: {Describe(e)}", e);
        }
    }

    /// <summary>The TLS failure (<see cref="AuthenticationException"/>) among <paramref name="error"/> and its inner exceptions, if there is one.</summary>
    public static AuthenticationException? FailureOf(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException tls)
            {
                return tls;
            }
        }

        return null;
    }

    /// <summary>The message of <paramref name="error"/> and of its inner exceptions (where SslStream keeps the cause: "Authentication failed, see inner exception").</summary>
    public static string Describe(Exception error)
    {
        var messages = new List<string>();
        for (var e = error; e is not null && messages.Count < 4; e = e.InnerException)
        {
            if (!messages.Contains(e.Message))
            {
                messages.Add(e.Message);
            }
        }

        return string.Join(": ", messages);
    }
}
