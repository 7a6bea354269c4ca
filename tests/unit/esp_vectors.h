/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Published ESP and algorithm test vectors, as hex text copied from their
 * sources (spaces are ignored).  test_esp_vectors.c recomputes each one with
 * OpenSSL before trusting it, so a mistyped byte fails the test.
 */
#ifndef SECGW_ESP_VECTORS_H
#define SECGW_ESP_VECTORS_H

#include <stdint.h>

#include "config.h"

/*
 * A whole ESP packet (SPI .. ICV) of an AEAD or GMAC SA.  key is the cipher
 * (or GMAC) key followed by the 4-byte salt, as secgw's config holds it;
 * plaintext is what follows the IV once decrypted, up to Next Header.
 */
struct esp_packet_vector {
	const char *source;
	enum cfg_cipher cipher;
	enum cfg_integ integ;
	const char *key;
	uint64_t seq; /* the full sequence number; above 32 bits means ESN */
	const char *plaintext;
	const char *packet;
};

#define DRAFT_MCGREW "draft-mcgrew-gcm-test-01 §4"

static const struct esp_packet_vector esp_packet_vectors[] = {
	{DRAFT_MCGREW " (AES-GCM-ESP, 16-octet key, spi 0000a5f8)",
	 CFG_CIPHER_AES_128_GCM, CFG_INTEG_NONE,
	 "feffe9928665731c6d6a8f9467308308 cafebabe", 0x0a,
	 "4500003e698f000080114dccc0a80102 c0a801010a980035002a2343b2d00100"
	 "00010000000000000373697009637962 65726369747902646b00000100010001",
	 "0000a5f80000000afacedbaddecaf888 deb22cd9b07c72c16e3a65beeb8df304"
	 "a5a5897d33ae530f1ba76d5d114d2a5c 3de81827c10e9a4f51330d0eec416642"
	 "cfbb85a5b47e48a4ec3b9ba95d918bd1 83b70d3aa8bc6ee4c309e9d85a41ad4a"},
	{DRAFT_MCGREW " (AES-GCM-ESP, 24-octet key, spi 0000a5f8)",
	 CFG_CIPHER_AES_192_GCM, CFG_INTEG_NONE,
	 "feffe9928665731c6d6a8f9467308308 feffe9928665731c cafebabe", 0x0a,
	 "45000028a4ad4000400678800a01038f 0a010612802306b8cb712602dd6bb03e"
	 "501016d075680001",
	 "0000a5f80000000afacedbaddecaf888 a5b1f8066029aea40e598b8122de0242"
	 "0938b3ab33f828e687b8858b5bfbdbd0 315b27452144cc7795457b9652037f53"
	 "18027b5b4cd7a636"},
	{DRAFT_MCGREW " (AES-GCM-ESP, 32-octet key, spi 4a2cbfe3)",
	 CFG_CIPHER_AES_256_GCM, CFG_INTEG_NONE,
	 "abbccddef00112233445566778899aab abbccddef00112233445566778899aab 11223344", 0x02,
	 "4500003069a6400080062690c0a80102 9389155e0a9e008b2dc57ee000000000"
	 "7002400020bf0000020405b401010402 01020201",
	 "4a2cbfe3000000020102030405060708 ff425c9b724599df7a3bcd510194e00d"
	 "6a78107f1b0b1cbf06efae9d65a5d763 748a637985771d347f0545659f14e99d"
	 "ef842d8eb335f4eecfdbf831824b4c49 15956c96"},
	{DRAFT_MCGREW " (AES-GCM-ESP, 16-octet key, ESN, spi 42f67e3f)",
	 CFG_CIPHER_AES_128_GCM, CFG_INTEG_NONE,
	 "3de09874b388e6491988d0c3607eae1f 57690e43", 0x1010101010101010ULL,
	 "4500003c99c300008001cb7c40679318 010101010800085c0200430061626364"
	 "65666768696a6b6c6d6e6f7071727374 75767761626364656667686901020201",
	 "42f67e3f101010104e280000a2fca1a3 fba2caa4853cf9f0f22cb10d86dd83b0"
	 "fec75691cf1a04b00d1138ec9c357917 65acbd8701ad79845bf9fe3fba487bc9"
	 "1755e6662b4c8d0d1f5e22739530320a e0d731cc978ecafaeae88f00e80d6e48"},
	{DRAFT_MCGREW " (AES-GCM-ESP, 32-octet key, ESN, spi 17405e67)",
	 CFG_CIPHER_AES_256_GCM, CFG_INTEG_NONE,
	 "abbccddef00112233445566778899aab abbccddef00112233445566778899aab 73616c74",
	 0x156f3126dd0db99bULL,
	 "45080028732c00004006e9f90a010612 0a01038f06b88023dd6bafbecb712602"
	 "50101f646d540001",
	 "17405e67dd0db99b616e640169766563 f2d69ecdbd5a0d5b8d5ef38bad4da58d"
	 "1f278fde98ef67549d524a3018d9a57f f4d3a31ce673119e451626c2415771e3"
	 "b7eebca614c89b35"},
	{DRAFT_MCGREW " (AES-GMAC-ESP, 16-octet key, spi 00004321)",
	 CFG_CIPHER_NULL, CFG_INTEG_AES_128_GMAC,
	 "4c80cdefbb5d10da906ac73c3613a634 22433c64", 0x07,
	 "45000030da3a00008001df3bc0a80005 c0a800010800c6cd0200070061626364"
	 "65666768696a6b6c6d6e6f7071727374 01020201",
	 "00004321000000070000000000000000 45000030da3a00008001df3bc0a80005"
	 "c0a800010800c6cd0200070061626364 65666768696a6b6c6d6e6f7071727374"
	 "01020201f2a9a836e155106aa8dcd618 e4099aaa"},
	{"RFC 7634 Appendix A (ESP example)",
	 CFG_CIPHER_CHACHA20_POLY1305, CFG_INTEG_NONE,
	 "80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f"
	 "90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3", 0x05,
	 "45 00 00 54 a6 f2 00 00 40 01 e7 78 c6 33 64 05"
	 "c0 00 02 05 08 00 5b 7a 3a 08 00 00 55 3b ec 10"
	 "00 07 36 27 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13"
	 "14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23"
	 "24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33"
	 "34 35 36 37 01 02 02 04",
	 "01 02 03 04 00 00 00 05 10 11 12 13 14 15 16 17"
	 "24 03 94 28 b9 7f 41 7e 3c 13 75 3a 4f 05 08 7b"
	 "67 c3 52 e6 a7 fa b1 b9 82 d4 66 ef 40 7a e5 c6"
	 "14 ee 80 99 d5 28 44 eb 61 aa 95 df ab 4c 02 f7"
	 "2a a7 1e 7c 4c 4f 64 c9 be fe 2f ac c6 38 e8 f3"
	 "cb ec 16 3f ac 46 9b 50 27 73 f6 fb 94 e6 64 da"
	 "91 65 b8 28 29 f6 41 e0"
	 "76 aa a8 26 6b 7f b0 f7 b1 1b 36 99 07 e1 ad 43"},
};

/* A cipher on its own; for CTR the key is followed by the 4-byte nonce. */
struct cipher_vector {
	const char *source;
	enum cfg_cipher cipher;
	const char *key;
	const char *iv;
	const char *plaintext;
	const char *ciphertext;
};

/* AES-CTR (RFC 3686 §6) */
static const struct cipher_vector ctr_vectors[] = {
	{"RFC 3686 §6 Test Vector #2", CFG_CIPHER_AES_128_CTR,
	 "7E 24 06 78 17 FA E0 D7 43 D6 CE 1F 32 53 91 63 00 6C B6 DB",
	 "C0 54 3B 59 DA 48 D9 0B",
	 "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F"
	 "10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F",
	 "51 04 A1 06 16 8A 72 D9 79 0D 41 EE 8E DA D3 88"
	 "EB 2E 1E FC 46 DA 57 C8 FC E6 30 DF 91 41 BE 28"},
	{"RFC 3686 §6 Test Vector #5", CFG_CIPHER_AES_192_CTR,
	 "7C 5C B2 40 1B 3D C3 3C 19 E7 34 08 19 E0 F6 9C"
	 "67 8C 3D B8 E6 F6 A9 1A 00 96 B0 3B",
	 "02 0C 6E AD C2 CB 50 0D",
	 "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F"
	 "10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F",
	 "45 32 43 FC 60 9B 23 32 7E DF AA FA 71 31 CD 9F"
	 "84 90 70 1C 5A D4 A7 9C FC 1F E0 FF 42 F4 FB 00"},
	{"RFC 3686 §6 Test Vector #8", CFG_CIPHER_AES_256_CTR,
	 "F6 D6 6D 6B D5 2D 59 BB 07 96 36 58 79 EF F8 86"
	 "C6 6D D5 1A 5B 6A 99 74 4B 50 59 0C 87 A2 38 84 00 FA AC 24",
	 "C1 58 5E F1 5A 43 D8 75",
	 "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F"
	 "10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F",
	 "F0 5E 23 1B 38 94 61 2C 49 EE 00 0B 80 4E B2 A9"
	 "B8 30 6B 50 8F 83 9D 6A 55 30 83 1D 93 44 AF 1C"},
};

/* HMAC authenticators: the ICV is the truncated output (RFC 2404, RFC 4868). */
struct hmac_vector {
	const char *source;
	enum cfg_integ integ;
	const char *key;
	const char *data;
	const char *icv;
};

static const struct hmac_vector hmac_vectors[] = {
	{"RFC 2404 §5 test case 1 (RFC 2202)", CFG_INTEG_HMAC_SHA1_96,
	 "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
	 "b617318655057264e28bc0b6"},
	{"RFC 2404 §5 test case 3 (RFC 2202)", CFG_INTEG_HMAC_SHA1_96,
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	 "dddddddddddddddddddddddddddddddd dddddddddddddddddddddddddddddddd"
	 "dddddddddddddddddddddddddddddddd dddd",
	 "125d7342b9ac11cd91a39af4"},
	{"RFC 4868 §2.7.2.1 AUTH256-1", CFG_INTEG_HMAC_SHA256_128,
	 "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	 "4869205468657265", "198a607eb44bfbc69903a0f1cf2bbdc5"},
	{"RFC 4868 §2.7.2.1 AUTH256-2", CFG_INTEG_HMAC_SHA256_128,
	 "4a6566654a6566654a6566654a656665 4a6566654a6566654a6566654a656665",
	 "7768617420646f2079612077616e7420 666f72206e6f7468696e673f",
	 "167f928588c5cc2eef8e3093caa0e87c"},
	{"RFC 4868 §2.7.2.1 AUTH256-4", CFG_INTEG_HMAC_SHA256_128,
	 "0102030405060708090a0b0c0d0e0f10 1112131415161718191a1b1c1d1e1f20",
	 "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
	 "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd cdcd",
	 "372efcf9b40b35c2115b1346903d2ef4"},
	{"RFC 4868 §2.7.2.2 AUTH384-1", CFG_INTEG_HMAC_SHA384_192,
	 "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
	 "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	 "4869205468657265", "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973"},
	{"RFC 4868 §2.7.2.2 AUTH384-2", CFG_INTEG_HMAC_SHA384_192,
	 "4a6566654a6566654a6566654a656665 4a6566654a6566654a6566654a656665"
	 "4a6566654a6566654a6566654a656665",
	 "7768617420646f2079612077616e7420 666f72206e6f7468696e673f",
	 "2c7353974f1842fd66d53c452ca42122b28c0b594cfb184d"},
	{"RFC 4868 §2.7.2.3 AUTH512-1", CFG_INTEG_HMAC_SHA512_256,
	 "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
	 "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	 "4869205468657265",
	 "637edc6e01dce7e6742a99451aae82df 23da3e92439e590e43e761b33e910fb8"},
	{"RFC 4868 §2.7.2.3 AUTH512-3", CFG_INTEG_HMAC_SHA512_256,
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	 "dddddddddddddddddddddddddddddddd dddddddddddddddddddddddddddddddd"
	 "dddddddddddddddddddddddddddddddd dddd",
	 "2ee7acd783624ca9398710f3ee05ae41 b9f9b0510c87e49e586cc9bf961733d8"},
};

/* AES-CBC (RFC 3602 §4, cases 1, 2 and 4: raw blocks, no ESP framing). */
static const struct cipher_vector cbc_vectors[] = {
	{"RFC 3602 §4 case #1", CFG_CIPHER_AES_128_CBC,
	 "06a9214036b8a15b512e03d534120006", "3dafba429d9eb430b422da802c9fac41",
	 "53696e676c6520626c6f636b206d7367", /* "Single block msg" */
	 "e353779c1079aeb82708942dbe77181a"},
	{"RFC 3602 §4 case #2", CFG_CIPHER_AES_128_CBC,
	 "c286696d887c9aa0611bbb3e2025a45a", "562e17996d093d28ddb3ba695a2e6f58",
	 "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f",
	 "d296cd94c2cccf8a3a863028b5e1dc0a 7586602d253cfff91b8266bea6d61ab1"},
	{"RFC 3602 §4 case #4", CFG_CIPHER_AES_128_CBC,
	 "56e47a38c5598974bc46903dba290349", "8ce82eefbea0da3c44699ed7db51b7d9",
	 "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf b0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	 "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf d0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
	 "c30e32ffedc0774e6aff6af0869f71aa 0f3af07a9a31a9c684db207eb0ef8e4e"
	 "35907aa632c3ffdf868bb7b29d3d46ad 83ce9f9a102ee99d49a53e87f4c3da55"},
};

#endif
