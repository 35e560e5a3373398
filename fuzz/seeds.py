#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""
Seed corpora for the fuzz targets, written at build time (nothing binary
is committed): fuzz/seeds.py TARGET DIR. Each seed is a valid input, so
the fuzzer starts from the formats the targets really see.
"""
import os
import struct
import sys


# include/uapi/linux/sernet.h, by position
CMD = dict(PORT_GET=1, PORT_ADDED=2, PORT_REMOVED=3, PORT_SET=4, STATUS=5,
           CONNECTED=6, DISCONNECTED=7, CLIENT_GET=8)
A = dict(PORT_INDEX=1, PORT_TTY=2, PORT_STATE=3, PORT_STATS=4, PAD=5,
         UART_BAUD=6, UART_DATABITS=7, UART_STOPBITS=8, UART_PARITY=9,
         UART_FLOW=10, PACK_TIME=11, PACK_LEN=12, PACK_TIME_US=13,
         SOCK_PROTO=14, SOCK_PORT=15, SOCK_MAX_CLIENTS=16, SOCK_FULL=17,
         SOCK_STATUS=18, PEER=19, SOCK_ADDR=20, SOCK_LOCAL_PORT=21,
         SOCKSL=22, SHORTO=23, SOCKTON=24, UDPON=25, UARTCLBUF=26,
         CLIENT_SECONDS=27, CLIENT_QUEUED=28, CLIENT_STATS=29,
         CLIENT_END=30)


def nla(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * (-n % 4)


def u8(t, v): return nla(t, struct.pack("=B", v))
def u16(t, v): return nla(t, struct.pack("=H", v))
def u32(t, v): return nla(t, struct.pack("=I", v))
def u64(t, v): return nla(t, struct.pack("=Q", v))
def s(t, v): return nla(t, v.encode() + b"\0")


def port_msgs():
    head = u32(A["PORT_INDEX"], 0) + s(A["PORT_TTY"], "ttyS1")
    port = (head + u32(A["PORT_STATE"], 1) + u32(A["UART_BAUD"], 115200) +
            u8(A["UART_DATABITS"], 8) + u8(A["UART_STOPBITS"], 1) +
            u8(A["UART_PARITY"], 0) + u8(A["UART_FLOW"], 0) +
            u16(A["PACK_TIME"], 0) + u16(A["PACK_LEN"], 0) +
            u32(A["PACK_TIME_US"], 347) + u8(A["SOCK_PROTO"], 0) +
            u16(A["SOCK_PORT"], 23) + u16(A["SOCK_MAX_CLIENTS"], 8) +
            u8(A["SOCK_FULL"], 0) + s(A["SOCK_STATUS"], "LISTEN") +
            nla(A["SOCK_ADDR"], bytes([127, 0, 0, 1])) +
            u16(A["SOCK_LOCAL_PORT"], 0) + u8(A["SOCKSL"], 0) +
            u16(A["SHORTO"], 3) + u32(A["SOCKTON"], 86400) +
            u8(A["UDPON"], 0) + u8(A["UARTCLBUF"], 0) +
            nla(A["PORT_STATS"], b"".join(u64(i, i * 1000)
                                          for i in range(1, 14) if i != 2)))
    client = (head + s(A["PEER"], "[::1]:4242") +
              u32(A["CLIENT_SECONDS"], 12) + u32(A["CLIENT_QUEUED"], 0) +
              nla(A["CLIENT_STATS"], b"".join(u64(i, i) for i in range(2, 6))))
    return {"port_get": bytes([CMD["PORT_GET"]]) + port,
            "status": bytes([CMD["STATUS"]]) + head +
            s(A["SOCK_STATUS"], "CONNECTED(2)"),
            "client": bytes([CMD["CLIENT_GET"]]) + client,
            "disconnected": bytes([CMD["DISCONNECTED"]]) + client +
            u8(A["CLIENT_END"], 1)}


SEEDS = {
    "fuzz_port_parse": port_msgs,
    "fuzz_set_parse": lambda: {
        "uart": b"uart 115200,8,1,NONE,NFC uarttl 0,0",
        "keys": b"baud 9600 databits 7 stopbits 2 parity MASK flow FC",
        "socka": b"socka TCPC,::1,4000 localport 0 socksl ON shorto 3",
        "server": b"protocol TCPS port 23 maxclients 8 full drop-oldest",
        "udp": b"socka UDPC,127.0.0.1,2000 udpon OFF uartclbuf ON",
    },
    # page size, length, then ops of 3 bytes: op, arg (little endian)
    "fuzz_pack": lambda: {
        "steady": bytes([0, 0x80]) + bytes([0, 0x00, 0x10]) * 20,
        "mixed": bytes([1, 10]) + bytes([0, 5, 0, 1, 0, 0, 2, 3, 0,
                                         3, 200, 0, 0, 0xff, 0x1f]) * 8,
        "stall": bytes([0, 0xff]) + bytes([0, 0xff, 0x1f]) * 200,
    },
    # longest line - 1, chunk - 1, then command-mode input
    "fuzz_at": lambda: {
        "session": bytes([63, 15]) + b"AT+E?\r\nAT+UART=115200,8,1,NONE,NFC\r"
        b"+++AT+ENTM\n",
        "overlong": bytes([7, 3]) + b"0123456789abcdef\r\nAT\r" * 4,
    },
    # one line as typed, no CR/LF
    "fuzz_at_parse": lambda: {
        "query": b"AT+SOCKA1?",
        "set": b"at+uart2=9600,8,1,none,nfc;AT+MID=a[2C]b;UARTTL=10,512",
        "hex": b"AT+REGUSER1=0A0B,HEX;AT+HTPHEAD1=Host: x<<CRLF>>",
        "actions": b"AT+CFGTF;AT+RELD;AT+E=OFF;AT+ENTM;AT+Z",
    },
    "fuzz_store_load": lambda: {
        "conf": b"PORT1=/dev/ttyS1\nAT+E=OFF\nAT+SOCKA1=TCPC,127.0.0.1,5000\n"
        b"AT+MID=a[2C]b\nAT+FUTURE=1\n# comment\nAT+UART1=9600\n",
    },
}

if __name__ == "__main__":
    target, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS[target]().items():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(data)
