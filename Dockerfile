# carepath: one static binary; the command (api, worker, migrate) is the argument.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
# Only what .dockerignore lets through: no .git, .data, bin or built binaries.
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/carepath ./cmd/carepath

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/carepath /usr/local/bin/carepath
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/carepath"]
CMD ["api"]
