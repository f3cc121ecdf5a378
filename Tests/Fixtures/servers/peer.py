"""Who is on the other end of a loopback connection: the uid that owns the client's socket.

A server on 127.0.0.1 sees its peer as (address, port). The kernel lists every TCP socket in
/proc/net/tcp (tcp6 for IPv6) with its local address and the uid of the process that made it;
the client's socket is the one whose *local* address is the peer's. Used by the test servers to
record which user made each request (license-agent's network helper must not be root).
"""
import socket


def _hex_address(host):
    """The address as /proc/net/tcp{,6} spells it: the bytes of each 32-bit word in host order."""
    if ":" in host:
        packed = socket.inet_pton(socket.AF_INET6, host)
        return "".join(packed[i:i + 4][::-1].hex() for i in range(0, 16, 4)).upper()
    return socket.inet_aton(host)[::-1].hex().upper()


def peer_uid(client_address):
    """The uid owning the client's end of this connection, or None when it is not listed."""
    host, port = client_address[0], client_address[1]
    wanted = "%s:%04X" % (_hex_address(host), port)
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                rows = handle.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 7 and fields[1] == wanted:
                return int(fields[7])
    return None
