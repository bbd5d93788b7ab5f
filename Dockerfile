# hookrelay as a container: a static binary on a distroless base, run as a
# non-root user, `hookrelay serve` as the entrypoint.
#
#   docker build -t hookrelay .
#   docker run -p 8080:8080 -v hookrelay-data:/data \
#     -e HOOKRELAY_API_TOKEN="$(openssl rand -base64 32)" hookrelay
#
# The embedded SQLite database lives in the /data volume. The server listens
# on all addresses (HOOKRELAY_LISTEN=0.0.0.0:8080) so that the port can be
# published, and beyond loopback hookrelay requires HOOKRELAY_API_TOKEN of at
# least 32 characters: without one it exits 2 and says so. For PostgreSQL,
# set DATABASE_URL=postgres://… (see compose.yaml).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# SQLite is modernc.org/sqlite, pure Go: the binary needs no C library.
# cmd/hookrelay/main_test.go runs this same command and checks the result is static.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/hookrelay ./cmd/hookrelay
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hookrelay /usr/local/bin/hookrelay
COPY --from=build --chown=65532:65532 /out/data /data
ENV DATABASE_URL=/data/hookrelay.db \
    HOOKRELAY_LISTEN=0.0.0.0:8080
VOLUME /data
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["hookrelay", "serve"]
